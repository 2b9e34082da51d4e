using System.Globalization;

namespace MobileViT.Cli.Commands;

/// <summary>
/// Parses <c>--name value</c> / <c>--name=value</c> options against a fixed set of option names.
/// Unknown options, repeated options, missing values and positional arguments are usage errors.
/// </summary>
public sealed class CommandLineOptions
{
    private readonly Dictionary<string, string> values;

    private CommandLineOptions(Dictionary<string, string> values) => this.values = values;

    public static CommandLineOptions Parse(IReadOnlyList<string> args, params string[] knownOptions) => Parse(args, knownOptions, []);

    /// <summary>As <see cref="Parse(IReadOnlyList{string}, string[])"/>, plus <paramref name="knownFlags"/>: options that take no value.</summary>
    public static CommandLineOptions Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> knownOptions, IReadOnlyCollection<string> knownFlags)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}'.");

            string name, value;
            var equals = arg.IndexOf('=');
            if (equals < 0 && knownFlags.Contains(arg[2..]))
            {
                name = arg[2..];
                value = "true";
            }
            else if (equals >= 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"option --{name} needs a value.");
                value = args[++i];
            }

            if (!knownOptions.Contains(name) && !knownFlags.Contains(name))
                throw new UsageException($"unknown option --{name}.");
            if (!values.TryAdd(name, value))
                throw new UsageException($"option --{name} given more than once.");
        }
        return new CommandLineOptions(values);
    }

    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>A comma-separated list of positive integers, e.g. <c>--concurrency 1,4,16</c>.</summary>
    public IReadOnlyList<int>? GetIntList(string name)
    {
        var text = Get(name);
        if (text is null)
            return null;
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
                throw new UsageException($"option --{name} must be a comma-separated list of positive integers, got '{text}'.");
            result.Add(value);
        }
        return result.Count > 0 ? result : throw new UsageException($"option --{name} is empty.");
    }

    public string? Get(string name) => values.GetValueOrDefault(name);

    public string Required(string name) => Get(name) ?? throw new UsageException($"missing required option --{name}.");

    public int? GetInt(string name)
    {
        var text = Get(name);
        if (text is null)
            return null;
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"option --{name} must be an integer, got '{text}'.");
    }
}
