using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MobileViT.Inference.Models.Versions;

namespace MobileViT.Inference.Models.Repository;

/// <summary>
/// Reads a model repository: <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/</c>, versions positive integers, each a model directory,
/// and an optional <c>&lt;model&gt;/model_config.json</c>. Entries whose names start with a dot are skipped: temporary
/// directories being written (write <c>.3.tmp</c>, then rename it to <c>3</c>) and Kubernetes' <c>..data</c> and
/// timestamped directories, whose files the visible names link to; links are followed, so a symlink swap is read as a
/// whole at the next scan. A version whose files are missing, empty or unparseable is incomplete: reported, never loaded.
/// </summary>
public static class RepositoryScanner
{
    public const string ModelConfigFile = "model_config.json";
    public const string ConfigFile = "config.json";
    public const string PreprocessorConfigFile = "preprocessor_config.json";
    public const string OnnxFile = "onnx/model.onnx";

    /// <summary>
    /// Every model directory of the repository, by name (ordinal order), and the entries ignored with why. Throws
    /// <see cref="IOException"/> when the repository itself cannot be listed: a repository that cannot be read is not
    /// an empty one, whose models would all be unloaded.
    /// </summary>
    public static (IReadOnlyList<RepositoryModel> Models, IReadOnlyList<string> Ignored) Scan(string root)
    {
        var models = new List<RepositoryModel>();
        var ignored = new List<string>();
        foreach (var directory in Visible(System.IO.Directory.EnumerateDirectories(root)))
        {
            var name = System.IO.Path.GetFileName(directory);
            if (!IsModelName(name))
            {
                ignored.Add($"'{name}': a model name may only contain letters, digits, '-', '_' and '.'");
                continue;
            }
            models.Add(ScanModel(directory, name));
        }
        return (models.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(), ignored);
    }

    /// <summary>The named model's directory, or null when the repository has none.</summary>
    public static RepositoryModel? Find(string root, string name) =>
        IsModelName(name) && System.IO.Directory.Exists(System.IO.Path.Combine(root, name)) ? ScanModel(System.IO.Path.Combine(root, name), name) : null;

    public static bool IsModelName(string name) =>
        name.Length is > 0 and <= 128 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static RepositoryModel ScanModel(string directory, string name)
    {
        var versions = new Dictionary<int, VersionDirectory>();
        foreach (var versionDirectory in Directories(directory))
        {
            var text = System.IO.Path.GetFileName(versionDirectory);
            if (text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
                && text[0] != '0')
                versions[version] = ScanVersion(versionDirectory, version);
        }
        var (config, problem, fingerprint) = ReadConfig(directory, name);
        return new RepositoryModel(name, directory, versions, config, problem, fingerprint);
    }

    /// <summary>Checks a version's files and fingerprints them; reads nothing but the two small JSON files.</summary>
    public static VersionDirectory ScanVersion(string directory, int version)
    {
        var fingerprint = new StringBuilder();
        string? problem = null;
        foreach (var file in new[] { ConfigFile, PreprocessorConfigFile, OnnxFile })
        {
            var info = new FileInfo(System.IO.Path.Combine(directory, file));
            try
            {
                if (!info.Exists)
                {
                    problem ??= $"incomplete: no {file}";
                    continue;
                }
                fingerprint.Append(CultureInfo.InvariantCulture, $"{file}:{info.Length}:{info.LastWriteTimeUtc.Ticks};");
                if (info.Length == 0)
                    problem ??= $"incomplete: {file} is empty";
                else if (file != OnnxFile && !IsJson(info.FullName))
                    problem ??= $"incomplete: {file} is not valid JSON (still being written?)";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem ??= $"unreadable: {file}: {e.Message}";
            }
        }
        return new VersionDirectory(version, directory, fingerprint.ToString(), problem);
    }

    private static (ServingConfig? Config, string? Problem, string Fingerprint) ReadConfig(string directory, string name)
    {
        var path = System.IO.Path.Combine(directory, ModelConfigFile);
        try
        {
            if (!File.Exists(path))
                return (null, null, "");
            var text = File.ReadAllText(path);
            var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            try
            {
                return (ServingConfigJson.Parse(text, name, $"{name}/{ModelConfigFile}"), null, fingerprint);
            }
            catch (FormatException e)
            {
                return (null, e.Message, fingerprint);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"{name}/{ModelConfigFile} cannot be read: {e.Message}", "unreadable");
        }
    }

    private static bool IsJson(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The subdirectories (links to directories included) whose names do not start with a dot; none when it cannot be listed.</summary>
    private static IEnumerable<string> Directories(string directory)
    {
        try
        {
            return Visible(System.IO.Directory.EnumerateDirectories(directory));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static List<string> Visible(IEnumerable<string> directories) => directories.Where(d => !System.IO.Path.GetFileName(d).StartsWith('.')).ToList();
}
