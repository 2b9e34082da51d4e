using System.Globalization;

namespace MobileViT.Cli.Bench;

/// <summary>CPU time (user + system) a process has used so far, from <c>/proc/PID/stat</c> (Linux).</summary>
public static class ProcessCpu
{
    // USER_HZ: the unit of utime and stime in /proc, 100 on every mainstream Linux architecture.
    private const double TicksPerSecond = 100;

    public static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is parenthesised and may contain spaces: count fields after its closing bracket.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 (utime) and 15 (stime) of the line are the 12th and 13th after the name.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
