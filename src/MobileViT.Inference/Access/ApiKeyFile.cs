using System.Globalization;
using System.Text.RegularExpressions;

namespace MobileViT.Inference.Access;

/// <summary>
/// Parses API keys: one <c>name:key</c> per line, optionally followed by this key's rate limit
/// (<c>permits_per_second=5 burst=10</c>) and its scopes (<c>scopes=infer,admin</c>; <c>infer</c> when absent);
/// <c>#</c> comments and blank lines are ignored. Errors name the line and
/// the key's name, never the key.
/// </summary>
internal static partial class ApiKeyFile
{
    /// <summary>Parses a whole file; <paramref name="source"/> names it in errors.</summary>
    public static ApiKeySet Parse(string text, string source)
    {
        var keys = new List<ApiKey>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            keys.Add(ParseLine(line, $"{source} line {i + 1}"));
        }
        try
        {
            return new ApiKeySet(keys);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>Parses one <c>name:key [permits_per_second=N] [burst=N] [scopes=a,b]</c> entry; <paramref name="where"/> names it in errors.</summary>
    public static ApiKey ParseLine(string line, string where)
    {
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var colon = fields.Length > 0 ? fields[0].IndexOf(':') : -1;
        if (colon <= 0 || colon == fields[0].Length - 1)
            throw new FormatException($"{where}: expected 'name:key' (a name, a colon, then the key without spaces).");
        var name = fields[0][..colon];
        if (!NamePattern().IsMatch(name))
            throw new FormatException($"{where}: the key name '{name}' may only contain letters, digits, '-', '_' and '.' (at most 64).");
        var key = fields[0][(colon + 1)..];

        double? permits = null;
        int? burst = null;
        IReadOnlySet<string>? scopes = null;
        foreach (var field in fields.Skip(1))
        {
            var (setting, value) = field.Split('=', 2) is [var s, var v] ? (s, v) : (field, "");
            if (setting == "permits_per_second" && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p > 0)
                permits = p;
            else if (setting == "burst" && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b) && b > 0)
                burst = b;
            else if (setting == "scopes")
                scopes = ParseScopes(value, where, name);
            else
                throw new FormatException($"{where} (key '{name}'): '{setting}' is not 'permits_per_second=N' or 'burst=N' with N positive, or 'scopes=a,b'.");
        }
        if (burst is not null && permits is null)
            throw new FormatException($"{where} (key '{name}'): burst=N needs permits_per_second=N too.");
        var limit = permits is { } rate ? new ClientRateLimit { PermitsPerSecond = rate, Burst = burst } : null;
        return new ApiKey(name, ApiKeySet.Hash(key), limit, scopes ?? ApiKeyScopes.Default);
    }

    private static HashSet<string> ParseScopes(string value, string where, string name)
    {
        var scopes = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = scopes.FirstOrDefault(s => !ApiKeyScopes.All.Contains(s));
        if (scopes.Count == 0 || unknown is not null)
            throw new FormatException($"{where} (key '{name}'): scopes must be a comma-separated list of {string.Join(", ", ApiKeyScopes.All)}" +
                (unknown is null ? "." : $"; '{unknown}' is not one."));
        return scopes;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex NamePattern();
}
