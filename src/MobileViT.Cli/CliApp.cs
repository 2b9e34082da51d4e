using MobileViT.Cli.Commands;

namespace MobileViT.Cli;

/// <summary>Entry point of the <c>mobilevit</c> tool: dispatches <c>mobilevit COMMAND [options]</c> to a registered command.</summary>
public static class CliApp
{
    public const int ExitSuccess = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    /// <summary>Every subcommand; add new ones here.</summary>
    public static IReadOnlyList<ICliCommand> Commands { get; } = new ICliCommand[]
    {
        new BuildModelCommand(),
        new Bench.BenchCommand(),
        new Bench.BenchGraphsCommand(),
        new Profiling.ProfileGraphCommand(),
        new ComparePreprocessingCommand(),
    };

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            WriteUsage(args.Count == 0 ? error : output);
            return args.Count == 0 ? ExitUsage : ExitSuccess;
        }

        var command = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            error.WriteLine($"error: unknown command '{args[0]}'.");
            WriteUsage(error);
            return ExitUsage;
        }

        var commandArgs = args.Skip(1).ToArray();
        if (commandArgs.Any(a => a is "-h" or "--help"))
        {
            output.WriteLine(command.Usage);
            return ExitSuccess;
        }

        try
        {
            return command.Run(commandArgs, output, error);
        }
        catch (UsageException e)
        {
            error.WriteLine("error: " + e.Message);
            error.WriteLine(command.Usage);
            return ExitUsage;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or MobileViT.Inference.Sources.ModelSourceException)
        {
            error.WriteLine($"error: {command.Name} failed: {e.Message}");
            return ExitFailure;
        }
    }

    private static void WriteUsage(TextWriter writer)
    {
        writer.WriteLine("usage: mobilevit COMMAND [options]");
        writer.WriteLine();
        writer.WriteLine("commands:");
        foreach (var command in Commands)
            writer.WriteLine($"  {command.Name,-14}{command.Summary}");
        writer.WriteLine();
        writer.WriteLine("Run 'mobilevit COMMAND --help' for a command's options.");
    }
}
