using System.Globalization;

namespace MobileViT.Inference.Limits;

/// <summary>
/// The memory limit of the cgroup the process runs in, as a container runtime or Kubernetes sets it: cgroup v2's
/// <c>memory.max</c> or v1's <c>memory.limit_in_bytes</c>, the smallest along the process's cgroup path up to the
/// mount point (a parent's limit binds its children). Found through <c>/proc/self/mountinfo</c> and
/// <c>/proc/self/cgroup</c>; null where there is no limit (v2 <c>max</c>, v1's near-2^63 "unlimited") or no cgroup.
/// </summary>
public static class CgroupMemoryLimit
{
    /// <summary>v1 writes "unlimited" as 2^63 rounded down to a page; anything above this is no limit.</summary>
    private const long UnlimitedAbove = 1L << 60;

    /// <param name="root">The filesystem root the <c>/proc</c> and <c>/sys</c> paths are under (tests use a directory of files).</param>
    public static long? Read(string root = "/")
    {
        try
        {
            var cgroups = ReadLines(root, "proc/self/cgroup");
            var mounts = ReadLines(root, "proc/self/mountinfo");
            if (cgroups is null || mounts is null)
                return null;
            long? limit = null;
            foreach (var mount in mounts.Select(Mount.Parse).OfType<Mount>())
            {
                var (path, file) = mount.Version2
                    ? (CgroupPath(cgroups, v2: true, null), "memory.max")
                    : (CgroupPath(cgroups, v2: false, "memory"), "memory.limit_in_bytes");
                if (path is null)
                    continue;
                if (SmallestAlong(root, mount, path, file) is { } found)
                    limit = limit is { } l ? Math.Min(l, found) : found;
            }
            return limit;
        }
        catch (Exception)
        {
            // Whatever the files hold, an unreadable limit is no limit: the budget falls back to its fixed default.
            return null;
        }
    }

    private static string[]? ReadLines(string root, string path)
    {
        var full = Path.Combine(root, path);
        return File.Exists(full) ? File.ReadAllLines(full) : null;
    }

    /// <summary>The process's cgroup in the v2 hierarchy (<c>0::/path</c>) or in the v1 hierarchy that has <paramref name="controller"/>.</summary>
    private static string? CgroupPath(string[] cgroups, bool v2, string? controller)
    {
        foreach (var line in cgroups)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
                continue;
            if (v2 ? parts[0] == "0" && parts[1] == "" : parts[1].Split(',').Contains(controller))
                return parts[2];
        }
        return null;
    }

    private static long? SmallestAlong(string root, Mount mount, string cgroupPath, string file)
    {
        // The mount shows the hierarchy from mount.Root down; the process's path is relative to the hierarchy's top.
        var relative = cgroupPath.StartsWith(mount.Root, StringComparison.Ordinal) ? cgroupPath[mount.Root.Length..] : cgroupPath;
        var directory = Path.Combine(root, mount.Point.TrimStart('/'), relative.TrimStart('/'));
        var top = Path.Combine(root, mount.Point.TrimStart('/'));
        long? smallest = null;
        while (true)
        {
            var path = Path.Combine(directory, file);
            if (File.Exists(path) && Parse(File.ReadAllText(path)) is { } value)
                smallest = smallest is { } s ? Math.Min(s, value) : value;
            if (Path.TrimEndingDirectorySeparator(directory) == Path.TrimEndingDirectorySeparator(top) || Path.GetDirectoryName(directory) is not { } parent)
                return smallest;
            directory = parent;
        }
    }

    private static long? Parse(string text)
    {
        text = text.Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and < UnlimitedAbove ? value : null;
    }

    /// <summary>One line of mountinfo for a cgroup v2 mount or a v1 mount with the memory controller.</summary>
    private sealed record Mount(string Root, string Point, bool Version2)
    {
        public static Mount? Parse(string line)
        {
            // "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory": root and mount point are
            // fields 4 and 5; after " - " come the filesystem type, the source and the super options.
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
                return null;
            var fields = line[..separator].Split(' ');
            var after = line[(separator + 3)..].Split(' ');
            if (fields.Length < 5 || after.Length < 3)
                return null;
            return after[0] switch
            {
                "cgroup2" => new Mount(Unescape(fields[3]), Unescape(fields[4]), true),
                "cgroup" when after[2].Split(',').Contains("memory") => new Mount(Unescape(fields[3]), Unescape(fields[4]), false),
                _ => null,
            };
        }

        /// <summary>mountinfo writes spaces and a few other characters as octal escapes (\040).</summary>
        private static string Unescape(string field) => field.Contains('\\')
            ? System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
            : field;
    }
}
