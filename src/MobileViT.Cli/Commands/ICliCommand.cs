namespace MobileViT.Cli.Commands;

/// <summary>A <c>mobilevit</c> subcommand. Throw <see cref="UsageException"/> for bad arguments (exit code 2).</summary>
public interface ICliCommand
{
    /// <summary>The word after <c>mobilevit</c>, e.g. <c>build-model</c>.</summary>
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>Full usage text shown on <c>--help</c> and after usage errors.</summary>
    string Usage { get; }

    /// <summary>Runs the command with the arguments after its name; returns the process exit code.</summary>
    int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error);
}

/// <summary>The command line is wrong; the message says how.</summary>
public sealed class UsageException(string message) : Exception(message);
