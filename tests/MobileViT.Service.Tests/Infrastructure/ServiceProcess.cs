using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>
/// The built service (<c>MobileViT.Service.dll</c> from this test's output) as its own process, as an orchestrator runs
/// it: configured through command-line settings, listening on a free loopback port, stopped with real signals.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MobileViT.Service.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; it is copied to the test output by the project reference.");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in new[] { "--environment", "Production", "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
                         // gRPC on another loopback address, so its "Now listening" line cannot be taken for HTTP's.
                         "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.2:0", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information" }
                     .Concat(settings.Select(s => $"--{s.Key}={s.Value}")))
            start.ArgumentList.Add(arg);

        var service = new ServiceProcess(Process.Start(start)!);
        service._process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        var exited = service._process.WaitForExitAsync();
        var first = await Task.WhenAny(service._listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(2)));
        if (first != service._listening.Task)
        {
            await service.DisposeAsync();
            throw new InvalidOperationException($"The service did not start listening:\n{service.Output}");
        }
        service.BaseAddress = await service._listening.Task;
        return service;
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        if (ListeningLine().Match(line) is { Success: true } match)
            _listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>What Kubernetes and systemd send to stop a container or service.</summary>
    public void SendSigTerm()
    {
        if (Kill(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill(SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
