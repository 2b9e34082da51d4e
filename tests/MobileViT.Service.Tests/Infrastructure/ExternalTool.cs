namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>Finds a program the tests need on PATH; a missing one fails the test with what to install.</summary>
public static class ExternalTool
{
    public static string Require(string name, string installHint)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException($"'{name}' is not on PATH; this test needs it. {installHint}");
    }

    /// <summary>A loopback TCP port that was free a moment ago (for programs that cannot report the port they bound).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
