using System.Globalization;

namespace MobileViT.Cli.Bench;

/// <summary>
/// The overload scenario, in one run against one server: first the closed-loop capacity (img/s at a concurrency),
/// then, for each arrival pattern asked for, an open loop at a multiple of that capacity where every request carries a
/// deadline, optionally with a trickle of high-priority requests beside it (same deadline). <c>smooth</c> spaces the
/// requests evenly; <c>burst</c> fires a burst of clients together every period. It reports goodput against the
/// capacity, what the refused and expired requests got, the high-priority traffic's p99 against the normal traffic's
/// and, given the server's process id, the CPU the server and the load generator used in each phase. With the process
/// id it ends with a phase that measures what a refusal costs on its own: the same bodies at the same rate, every one
/// refused in admission before its body is read (they name a model that does not exist: the path of a 429 up to the
/// wait-aware rule's own decision), against the CPU per request served at capacity.
/// </summary>
public sealed class OverloadScenario(Uri baseAddress, string? model, BenchImages images, TimeSpan warmup, TimeSpan duration, TextWriter progress,
    int? serverPid = null, string? apiKey = null)
{
    public const string Smooth = "smooth";
    public const string Burst = "burst";

    /// <summary>
    /// What to offer: <paramref name="BurstClients"/> null means the multiple of the capacity per period;
    /// <paramref name="ExpectContinue"/> makes every request of the scenario send <c>Expect: 100-continue</c>.
    /// </summary>
    public sealed record Settings(int CapacityConcurrency, double Multiple, int DeadlineMs, double HighRate, IReadOnlyList<string> Arrivals,
        TimeSpan BurstPeriod, int? BurstClients = null, bool ExpectContinue = false);

    public sealed record Report(BenchPoint Capacity, CpuUse? CapacityCpu, double Multiple, int DeadlineMs, IReadOnlyList<Phase> Phases,
        Refusals? RefusalCost = null);

    /// <summary>The refusal-only phase: requests refused, the server's cores and CPU per refused request.</summary>
    public sealed record Refusals(BenchPoint Point, long Refused, double ServerCores, double ServerMsPerRefused, double LoadGeneratorCores);

    /// <summary>The model name of the refusal phase.</summary>
    public const string UnknownModel = "refusal-cost-probe";

    /// <summary>
    /// One arrival pattern's overload. <see cref="Admitted"/> is every request the server did not refuse with 429
    /// (served, expired, failed); <see cref="DeadlineExceededShare"/> the 504s among them.
    /// </summary>
    public sealed record Phase(
        string Arrivals,
        BenchPoint Normal,
        BenchPoint? High,
        double Goodput,
        double GoodputRatio,
        long Admitted,
        long Refused,
        long DeadlineExceeded,
        double DeadlineExceededShare,
        long ServerErrors,
        double? HighToNormalP99,
        CpuUse? Cpu);

    /// <summary>
    /// Cores used over a phase's measured window by the server and by this load generator, and the server's CPU per
    /// served and per refused request. Per refused request is an estimate: the phase's server CPU less its served
    /// requests at the capacity phase's CPU per request, over the refusals.
    /// </summary>
    public sealed record CpuUse(double ServerCores, double LoadGeneratorCores, double ServerMsPerServed, double? ServerMsPerRefused);

    public async Task<Report> RunAsync(Settings settings)
    {
        BenchPoint capacity;
        CpuUse? capacityCpu;
        await using (var closed = new HttpBenchClient(baseAddress, model, expectContinue: settings.ExpectContinue, apiKey: apiKey))
        {
            var cpu = CpuWindow.Start(serverPid, warmup, duration);
            capacity = await new LoadRunner(closed, images, warmup, duration, progress).ClosedLoopAsync(settings.CapacityConcurrency);
            capacityCpu = (await cpu.ReadAsync())?.Use(capacity.Completed, 0, null);
        }
        if (capacityCpu is not null)
            capacity = capacity with { ServerCpuSecondsPerRequest = capacityCpu.ServerMsPerServed / 1000 };
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  capacity: {capacity.Throughput:0.0} img/s at c={settings.CapacityConcurrency}; offering {settings.Multiple:0.#}x = {capacity.Throughput * settings.Multiple:0} req/s with {settings.DeadlineMs} ms deadlines"));

        var deadline = settings.DeadlineMs.ToString(CultureInfo.InvariantCulture);
        await using var normalClient = new HttpBenchClient(baseAddress, model, headers: new Dictionary<string, string> { ["x-request-timeout-ms"] = deadline },
            expectContinue: settings.ExpectContinue, apiKey: apiKey);
        await using var highClient = new HttpBenchClient(baseAddress, model,
            headers: new Dictionary<string, string> { ["x-request-timeout-ms"] = deadline, ["x-request-priority"] = "high" }, expectContinue: settings.ExpectContinue, apiKey: apiKey);
        var phases = new List<Phase>();
        foreach (var arrivals in settings.Arrivals)
        {
            var cpu = CpuWindow.Start(serverPid, warmup, duration);
            var normalRunner = new LoadRunner(normalClient, images, warmup, duration, progress);
            var normal = arrivals switch
            {
                Smooth => normalRunner.OpenLoopAsync(capacity.Throughput * settings.Multiple),
                Burst => normalRunner.BurstLoopAsync(
                    settings.BurstClients ?? Math.Max(1, (int)Math.Round(capacity.Throughput * settings.Multiple * settings.BurstPeriod.TotalSeconds)),
                    settings.BurstPeriod),
                _ => throw new ArgumentException($"Unknown arrival pattern '{arrivals}'.", nameof(settings)),
            };
            var high = settings.HighRate > 0 ? new LoadRunner(highClient, images, warmup, duration, progress).OpenLoopAsync(settings.HighRate) : null;
            var normalPoint = await normal;
            var highPoint = high is null ? null : await high;
            phases.Add(Summarise(arrivals, capacity, normalPoint, highPoint, await cpu.ReadAsync()));
        }
        return new Report(capacity, capacityCpu, settings.Multiple, settings.DeadlineMs, phases,
            serverPid is null ? null : await MeasureRefusalsAsync(capacity.Throughput * settings.Multiple, settings.ExpectContinue));
    }

    private async Task<Refusals> MeasureRefusalsAsync(double rate, bool expectContinue)
    {
        await using var client = new HttpBenchClient(baseAddress, UnknownModel, expectContinue: expectContinue, apiKey: apiKey);
        var cpu = CpuWindow.Start(serverPid, warmup, duration);
        var point = await new LoadRunner(client, images, warmup, duration, progress).OpenLoopAsync(rate);
        var reading = (await cpu.ReadAsync())!;
        var refused = point.Errors.TryGetValue("404", out var count) ? count : 0;
        return new Refusals(point, refused, reading.ServerSeconds / reading.WallSeconds, refused > 0 ? reading.ServerSeconds / refused * 1000 : double.NaN,
            reading.LoadGeneratorSeconds / reading.WallSeconds);
    }

    private static Phase Summarise(string arrivals, BenchPoint capacity, BenchPoint normal, BenchPoint? high, CpuWindow.Reading? cpu)
    {
        var all = high is null ? [normal] : new[] { normal, high };
        long Count(Func<string, bool> status) => all.Sum(p => p.Errors.Where(e => status(e.Key)).Sum(e => e.Value));
        var goodput = all.Sum(p => p.Throughput);
        var served = all.Sum(p => p.Completed);
        var refused = Count(s => s == "429");
        var admitted = served + Count(s => s != "429");
        var expired = Count(s => s == "504");
        return new Phase(arrivals, normal, high, goodput, goodput / capacity.Throughput, admitted, refused, expired,
            admitted == 0 ? 0 : (double)expired / admitted, Count(s => s.Length == 3 && s[0] == '5'),
            high is null ? null : high.LatencyMs.P99 / normal.LatencyMs.P99,
            cpu?.Use(served, refused, capacity.ServerCpuSecondsPerRequest));
    }

    public static void Write(TextWriter output, Report report)
    {
        var points = new List<BenchPoint> { report.Capacity };
        foreach (var phase in report.Phases)
        {
            points.Add(phase.Normal with { Protocol = "http-" + phase.Arrivals });
            if (phase.High is not null)
                points.Add(phase.High with { Protocol = "http-high" });
        }
        BenchReport.WriteLoadTable(output, points);
        if (report.CapacityCpu is { } capacityCpu)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"capacity: server {capacityCpu.ServerCores:0.00} cores ({capacityCpu.ServerMsPerServed:0.00} ms per image), load generator {capacityCpu.LoadGeneratorCores:0.00} cores"));
        foreach (var phase in report.Phases)
        {
            var summary = string.Create(CultureInfo.InvariantCulture,
                $"{phase.Arrivals}: goodput {phase.Goodput:0.0}/s = {phase.GoodputRatio:0.000} x capacity; admitted {phase.Admitted}, 429: {phase.Refused}; 504 after admission: {phase.DeadlineExceeded} ({phase.DeadlineExceededShare:0.###%}); 5xx: {phase.ServerErrors}");
            if (phase is { High: { } high, HighToNormalP99: { } ratio })
            {
                var refused = high.Errors.TryGetValue("429", out var count) ? count : 0;
                summary += string.Create(CultureInfo.InvariantCulture, $"; high priority: {refused} x 429, p99 {high.LatencyMs.P99:0.0} ms = {ratio:0.00} x normal p99");
            }
            if (phase.Cpu is { } cpu)
            {
                summary += string.Create(CultureInfo.InvariantCulture,
                    $"; server {cpu.ServerCores:0.00} cores, load generator {cpu.LoadGeneratorCores:0.00} cores, server CPU {cpu.ServerMsPerServed:0.00} ms per served");
                if (cpu.ServerMsPerRefused is { } perRefused)
                    summary += string.Create(CultureInfo.InvariantCulture, $", ~{perRefused:0.000} ms per refused");
            }
            output.WriteLine(summary);
        }
        if (report.RefusalCost is { } refusals)
        {
            var perServed = report.CapacityCpu?.ServerMsPerServed ?? double.NaN;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"refusals alone ({refusals.Point.TargetRate:0}/s, refused before the body is read): {refusals.Refused} refused, server {refusals.ServerCores:0.00} cores = {refusals.ServerMsPerRefused:0.000} ms per refusal = {refusals.ServerMsPerRefused / perServed:0.000} x a served request ({perServed:0.00} ms); load generator {refusals.LoadGeneratorCores:0.00} cores"));
        }
    }

    /// <summary>CPU seconds of the server and of this process over a phase's measured window (after its warm-up).</summary>
    private sealed class CpuWindow
    {
        private readonly Task<Reading?> _reading;

        private CpuWindow(int? pid, TimeSpan warmup, TimeSpan duration) => _reading = MeasureAsync(pid, warmup, duration);

        public static CpuWindow Start(int? pid, TimeSpan warmup, TimeSpan duration) => new(pid, warmup, duration);

        public Task<Reading?> ReadAsync() => _reading;

        private static async Task<Reading?> MeasureAsync(int? pid, TimeSpan warmup, TimeSpan duration)
        {
            if (pid is not { } server)
                return null;
            await Task.Delay(warmup);
            var (serverBefore, selfBefore) = (ProcessCpu.Seconds(server), ProcessCpu.Seconds(Environment.ProcessId));
            await Task.Delay(duration);
            return new Reading(ProcessCpu.Seconds(server) - serverBefore, ProcessCpu.Seconds(Environment.ProcessId) - selfBefore, duration.TotalSeconds);
        }

        public sealed record Reading(double ServerSeconds, double LoadGeneratorSeconds, double WallSeconds)
        {
            public CpuUse Use(long served, long refused, double? capacitySecondsPerServed)
            {
                double? perRefused = refused > 0 && capacitySecondsPerServed is { } perServed
                    ? (ServerSeconds - served * perServed) / refused * 1000
                    : null;
                return new CpuUse(ServerSeconds / WallSeconds, LoadGeneratorSeconds / WallSeconds,
                    served > 0 ? ServerSeconds / served * 1000 : double.NaN, perRefused);
            }
        }
    }
}
