using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>
/// A real Prometheus server (the Debian <c>prometheus</c> package's binary) with its own config, port and storage in a
/// temporary directory, scraping one target every second. Independent of any system-wide Prometheus daemon.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string InstallHint = "Install it with 'apt-get install -y prometheus' (.ci/run does).";

    private readonly Process _process;
    private readonly TemporaryDirectory _directory;
    private readonly System.Text.StringBuilder _log = new();

    private PrometheusServer(Process process, TemporaryDirectory directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public static async Task<PrometheusServer> StartAsync(Uri target, string job)
    {
        var binary = ExternalTool.Require("prometheus", InstallHint);
        var directory = new TemporaryDirectory();
        Directory.CreateDirectory(directory.Path);
        var config = Path.Combine(directory.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: {job}
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target.Authority}']
            """);
        var port = ExternalTool.FreeLoopbackPort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory.Path,
        };
        foreach (var arg in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory.Path, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                 })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilReadyAsync();
        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode}:\n{Log}");
            try
            {
                using var response = await Client.GetAsync("-/ready");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"prometheus did not become ready within 60 s:\n{Log}");
    }

    /// <summary>An instant query through the HTTP API; null while the expression has no result.</summary>
    public async Task<double?> QueryScalarAsync(string promql)
    {
        using var document = await Client.GetFromJsonAsync<JsonDocument>("api/v1/query?query=" + Uri.EscapeDataString(promql));
        var root = document!.RootElement;
        if (root.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"Query '{promql}' failed: {root}");
        var result = root.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0)
            return null;
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Polls (bounded) until the query returns <paramref name="expected"/>; returns the last value seen.</summary>
    public async Task<double?> WaitForValueAsync(string promql, double expected, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        double? value;
        do
        {
            value = await QueryScalarAsync(promql);
            if (value == expected)
                return value;
            await Task.Delay(250);
        } while (watch.Elapsed < timeout);
        return value;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _directory.Dispose();
    }
}
