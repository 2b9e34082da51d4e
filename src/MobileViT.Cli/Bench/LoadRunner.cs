using System.Collections.Concurrent;
using System.Diagnostics;

namespace MobileViT.Cli.Bench;

/// <summary>
/// Drives a server: closed loop (N clients, each sending its next request as soon as the last returns) or open loop
/// (requests started on a fixed schedule whatever the server does, evenly spaced or in bursts, latency measured from
/// the scheduled time so that a stalled server shows up as latency instead of hiding behind fewer requests).
/// </summary>
public sealed class LoadRunner(IBenchClient client, BenchImages images, TimeSpan warmup, TimeSpan duration, TextWriter progress)
{
    private const int OpenLoopMaxInFlight = 4096;

    private readonly record struct Sample(long Scheduled, long Ended, BenchResponse Response);

    /// <summary>N clients in a loop until the window ends or, when <paramref name="maxRequests"/> is set, that many requests were sent.</summary>
    public async Task<BenchPoint> ClosedLoopAsync(int concurrency, long? maxRequests = null)
    {
        var window = Window.Start(warmup, duration);
        long sent = 0;
        var samples = new ConcurrentBag<Sample>();
        using var reporter = StartProgress($"{client.Protocol} {images.Label} c={concurrency}", window, samples);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                var index = Interlocked.Increment(ref sent);
                if (started >= window.End || index > maxRequests)
                    return;
                var response = await client.SendAsync(images[index], CancellationToken.None);
                if (started >= window.MeasureFrom)
                    samples.Add(new Sample(started, Stopwatch.GetTimestamp(), response));
            }
        }));
        await Task.WhenAll(workers);
        return Summarise("closed", concurrency, null, window, samples);
    }

    /// <summary>Requests started at <paramref name="rate"/> per second, evenly spaced.</summary>
    public Task<BenchPoint> OpenLoopAsync(double rate)
    {
        var interval = Stopwatch.Frequency / rate;
        return ScheduledLoopAsync(i => (long)(i * interval), "open", 0, rate, $"rate={rate:0}/s");
    }

    /// <summary>
    /// <paramref name="clients"/> requests started together, every <paramref name="period"/>: what cron-driven
    /// clients or an upstream fan-out look like. Each request's latency counts from its burst's scheduled time.
    /// </summary>
    public Task<BenchPoint> BurstLoopAsync(int clients, TimeSpan period)
    {
        var periodTicks = period.TotalSeconds * Stopwatch.Frequency;
        return ScheduledLoopAsync(i => (long)(i / clients * periodTicks), "burst", clients, clients / period.TotalSeconds,
            $"bursts of {clients} every {period.TotalMilliseconds:0} ms");
    }

    /// <summary>Request <c>i</c> starts <paramref name="offset"/>(i) Stopwatch ticks into the window, whatever the server does.</summary>
    private async Task<BenchPoint> ScheduledLoopAsync(Func<long, long> offset, string mode, int concurrency, double rate, string label)
    {
        var window = Window.Start(warmup, duration);
        var samples = new ConcurrentBag<Sample>();
        var inFlight = new ConcurrentDictionary<long, Task>();
        long dropped = 0;
        using var reporter = StartProgress($"{client.Protocol} {images.Label} {label}", window, samples);
        for (long i = 0; ; i++)
        {
            var scheduled = window.Started + offset(i);
            if (scheduled >= window.End)
                break;
            var wait = scheduled - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 500)
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            if (inFlight.Count >= OpenLoopMaxInFlight)
            {
                if (scheduled >= window.MeasureFrom)
                    Interlocked.Increment(ref dropped);
                continue;
            }
            var id = i;
            inFlight[id] = Task.Run(async () =>
            {
                var response = await client.SendAsync(images[id], CancellationToken.None);
                if (scheduled >= window.MeasureFrom)
                    samples.Add(new Sample(scheduled, Stopwatch.GetTimestamp(), response));
                inFlight.TryRemove(id, out Task? _);
            });
        }
        await Task.WhenAll(inFlight.Values.ToArray());
        for (var d = 0; d < dropped; d++)
            samples.Add(new Sample(window.MeasureFrom, window.MeasureFrom, new BenchResponse(false, "client-overload")));
        return Summarise(mode, concurrency, rate, window, samples);
    }

    private BenchPoint Summarise(string mode, int concurrency, double? rate, Window window, IEnumerable<Sample> samples)
    {
        var all = samples.ToList();
        var ok = all.Where(s => s.Response.Success).ToList();
        // Every request started in the window counts, over the time until the last of them ended: a server slower
        // than the window is still measured instead of reporting nothing.
        var elapsed = ok.Count == 0 ? duration.TotalSeconds
            : Math.Max(duration.TotalSeconds, (double)(ok.Max(s => s.Ended) - window.MeasureFrom) / Stopwatch.Frequency);
        var errors = all.Where(s => !s.Response.Success).GroupBy(s => s.Response.Status).ToDictionary(g => g.Key, g => (long)g.Count());
        double Mean(Func<BenchResponse, double> f) => ok.Select(s => f(s.Response)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
        return new BenchPoint(client.Protocol, images.Label, mode, concurrency, rate, elapsed, ok.Count, ok.Count / elapsed,
            LatencySummary.From(ok.Select(s => (s.Ended - s.Scheduled) * 1000.0 / Stopwatch.Frequency).ToList()),
            errors, Mean(r => r.BatchSize), Mean(r => r.QueueMs), Mean(r => r.InferenceMs), Mean(r => r.PreprocessMs));
    }

    private IDisposable StartProgress(string label, Window window, ConcurrentBag<Sample> samples) =>
        new Timer(_ =>
        {
            var elapsed = (double)(Stopwatch.GetTimestamp() - window.Started) / Stopwatch.Frequency;
            var phase = Stopwatch.GetTimestamp() < window.MeasureFrom ? "warm-up" : "measuring";
            progress.WriteLine($"  [{label}] {elapsed:0}s/{(warmup + duration).TotalSeconds:0}s {phase}, {samples.Count} measured");
        }, null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

    private readonly record struct Window(long Started, long MeasureFrom, long End)
    {
        public static Window Start(TimeSpan warmup, TimeSpan duration)
        {
            var now = Stopwatch.GetTimestamp();
            var from = now + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
            return new Window(now, from, from + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        }
    }
}
