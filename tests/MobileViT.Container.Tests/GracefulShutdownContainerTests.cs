using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MobileViT.Container.Tests.Infrastructure;

namespace MobileViT.Container.Tests;

/// <summary>
/// <c>docker stop</c> (SIGTERM) while clients keep sending: every request the server admitted is answered, and the
/// process exits cleanly within the grace period. "Admitted" is read from the server's own request log (each request
/// carries a unique id in its query), so a request the client sent but the closing server never read is not counted.
/// </summary>
public sealed partial class GracefulShutdownContainerTests
{
    private const int Clients = 12;

    [Fact]
    public async Task Sigterm_under_load_loses_no_admitted_request()
    {
        await using var service = await ServiceContainer.StartAsync(new Dictionary<string, string>
        {
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
            ["Logging__Console__FormatterName"] = "simple",
            ["MobileViT__Batching__MaxQueueDelayMs"] = "5",
        });
        var answered = new ConcurrentDictionary<int, HttpStatusCode>();
        var failed = new ConcurrentDictionary<int, string>();
        var okAfterStop = 0;
        var stopSent = false;
        var nextId = 0;
        using var loadEnds = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(1) })
        {
            BaseAddress = service.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60),
        };

        async Task SendUntilRefused()
        {
            while (!loadEnds.IsCancellationRequested)
            {
                var id = Interlocked.Increment(ref nextId);
                try
                {
                    using var response = await client.PostAsync($"/v1/classify?topK=1&requestId={id}", TestJpeg.Content());
                    answered[id] = response.StatusCode;
                    if (response.StatusCode == HttpStatusCode.OK && Volatile.Read(ref stopSent))
                        Interlocked.Increment(ref okAfterStop);
                }
                catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                {
                    return; // The listener is gone: nothing more can be admitted.
                }
                catch (Exception e)
                {
                    failed[id] = e.GetType().Name + ": " + e.Message;
                    if (Volatile.Read(ref stopSent))
                        await Task.Delay(20);
                }
            }
        }

        var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(SendUntilRefused)).ToArray();
        await WaitUntil(() => answered.Values.Count(s => s == HttpStatusCode.OK) >= 50, TimeSpan.FromSeconds(60));

        Volatile.Write(ref stopSent, true);
        var (stopExit, stopOutput) = await service.DockerAsync("stop", "--time", "60", service.Container.Id);
        Assert.True(stopExit == 0, stopOutput);
        await Task.WhenAll(load);

        var (_, exitCode) = await service.DockerAsync("inspect", "--format", "{{.State.ExitCode}}", service.Container.Id);
        var (stdout, stderr) = await service.Container.GetLogsAsync();
        var log = stdout + stderr;
        Assert.True(exitCode.Trim() == "0", $"exit code {exitCode.Trim()} (137 means it was killed, not drained):\n{ServiceImage.Tail(log, 4000)}");

        var admitted = AdmittedRequest().Matches(log).Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        Assert.True(admitted.Count >= 50, $"only {admitted.Count} admitted requests in the log:\n{ServiceImage.Tail(log, 3000)}");
        var lost = admitted.Where(id => !answered.ContainsKey(id)).Select(id => $"{id}: {failed.GetValueOrDefault(id, "no outcome")}").ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} admitted requests got no response:\n{string.Join('\n', lost.Take(20))}");
        var unexpected = answered.Where(a => a.Value is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable)).ToList();
        Assert.True(unexpected.Count == 0, "answers other than 200 or 503 (draining): " + string.Join(", ", unexpected.Take(20)));
        Assert.True(okAfterStop > 0, "no request completed after SIGTERM was sent: the test did not exercise a drain under load");
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {timeout}");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"Request starting HTTP/\S+ POST \S+[?&]requestId=(\d+)")]
    private static partial Regex AdmittedRequest();
}
