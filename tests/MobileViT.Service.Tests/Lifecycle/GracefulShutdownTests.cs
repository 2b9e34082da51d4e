using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Lifecycle;

/// <summary>
/// SIGTERM to the real service process while clients keep it saturated: readiness turns false first, after the grace
/// period new requests get 503, every admitted request still gets its 200, and the process exits 0 within the
/// drain timeout.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class GracefulShutdownTests
{
    private const double GraceSeconds = 1;
    private const double DrainTimeoutSeconds = 15;
    private const int Clients = 16;

    private sealed record Outcome(long SentAt, long EndedAt, HttpStatusCode? Status, string? ContentType, Exception? Error);

    [Fact]
    public async Task Sigterm_under_load_turns_readiness_false_refuses_new_requests_finishes_admitted_ones_and_exits_0()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>(RunningService.SmallModel())
        {
            // One single-threaded instance and small batches: requests queue up behind it.
            ["MobileViT:Execution:Instances"] = "1",
            ["MobileViT:Batching:MaxBatchSize"] = "4",
            ["MobileViT:Shutdown:ReadinessGracePeriodSeconds"] = GraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MobileViT:Shutdown:DrainTimeoutSeconds"] = DrainTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await WaitUntilReadyAsync(client, service);

        var outcomes = new ConcurrentBag<Outcome>();
        var readinessFalseAt = 0L;
        using var stopPolling = new CancellationTokenSource();
        var poller = PollReadinessAsync(client, stopPolling.Token, at => Interlocked.CompareExchange(ref readinessFalseAt, at, 0));
        var image = TestImages.Png(64, 64);
        // Load established: requests are being served and more are queued behind them.
        var served = 0;
        var loadEstablished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnServed()
        {
            if (Interlocked.Increment(ref served) == 3 * Clients)
                loadEstablished.TrySetResult();
        }
        var loops = Enumerable.Range(0, Clients).Select(_ => Task.Run(() => ClientLoopAsync(client, image, outcomes, OnServed))).ToList();
        await loadEstablished.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var sigterm = Stopwatch.GetTimestamp();
        service.SendSigTerm();
        var exitBudget = TimeSpan.FromSeconds(GraceSeconds + DrainTimeoutSeconds);
        await service.WaitForExitAsync(exitBudget + TimeSpan.FromSeconds(30));
        var exitedAfter = Stopwatch.GetElapsedTime(sigterm);
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(60));
        stopPolling.Cancel();
        await poller;

        var log = "\nService output:\n" + service.Output;
        Assert.True(service.ExitCode == 0, $"exit code {service.ExitCode}" + log);
        Assert.True(exitedAfter < exitBudget, $"exited {exitedAfter.TotalSeconds:0.0} s after SIGTERM; drain budget {exitBudget.TotalSeconds} s" + log);

        // Readiness went false after SIGTERM, before the service refused anything.
        Assert.True(readinessFalseAt > sigterm, "/health/ready never reported draining before exit" + log);
        var refused = outcomes.Where(o => o.Status == HttpStatusCode.ServiceUnavailable).OrderBy(o => o.EndedAt).ToList();
        var seen = string.Join(", ", outcomes.GroupBy(o => o.Status?.ToString() ?? o.Error!.GetType().Name).Select(g => $"{g.Key}: {g.Count()}"));
        Assert.True(refused.Count > 0, $"no request was refused with 503 while draining; outcomes: {seen}" + log);
        Assert.All(refused, o => Assert.Equal("application/problem+json", o.ContentType));
        var refusingFrom = refused[0].SentAt;
        Assert.True(readinessFalseAt < refused[0].EndedAt, "a request was refused before readiness turned false" + log);
        // During the grace period, requests still routed here were served.
        Assert.Contains(outcomes, o => o.Status == HttpStatusCode.OK && o.SentAt > readinessFalseAt);

        // Admitted requests finished while new ones were being refused.
        Assert.Contains(outcomes, o => o.Status == HttpStatusCode.OK && o.EndedAt > refused[0].EndedAt);

        // Nothing sent before the service began refusing failed: each got 200 or, if it arrived after refusal began, 503.
        // Later requests may also find the port closed; no request ever gets any other status.
        var failed = outcomes.Where(o =>
            (o.Status is { } status && status is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable)) ||
            (o.Error is not null && o.SentAt < refusingFrom)).ToList();
        Assert.True(failed.Count == 0,
            $"{failed.Count} request(s) failed: " + string.Join("; ", failed.Take(5).Select(o => o.Status?.ToString() ?? o.Error!.Message)) + log);
    }

    /// <summary>Sends requests back to back until the service refuses one (503) or is gone.</summary>
    private static async Task ClientLoopAsync(HttpClient client, byte[] image, ConcurrentBag<Outcome> outcomes, Action onServed)
    {
        while (true)
        {
            var content = new ByteArrayContent(image);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.PostAsync("v1/classify", content);
                await response.Content.ReadAsByteArrayAsync();
                outcomes.Add(new Outcome(sent, Stopwatch.GetTimestamp(), response.StatusCode, response.Content.Headers.ContentType?.MediaType, null));
                if (response.StatusCode != HttpStatusCode.OK)
                    return;
                onServed();
            }
            catch (HttpRequestException e)
            {
                outcomes.Add(new Outcome(sent, Stopwatch.GetTimestamp(), null, null, e));
                return;
            }
        }
    }

    private static async Task PollReadinessAsync(HttpClient client, CancellationToken stop, Action<long> onNotReady)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync("health/ready", stop);
                var body = await response.Content.ReadAsStringAsync(stop);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains("\"draining\":{\"status\":\"Unhealthy\"", StringComparison.Ordinal))
                    onNotReady(Stopwatch.GetTimestamp());
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Gone, or stopping.
            }
            try
            {
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, ServiceProcess service)
    {
        for (var i = 0; i < 1200; i++)
        {
            using (var response = await client.GetAsync("health/ready"))
                if (response.IsSuccessStatusCode)
                    return;
            Assert.False(service.HasExited, "the service exited while starting:\n" + service.Output);
            await Task.Delay(100);
        }
        Assert.Fail("the service did not become ready within 2 minutes:\n" + service.Output);
    }
}
