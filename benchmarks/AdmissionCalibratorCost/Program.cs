using System.Diagnostics;
using System.Globalization;
using MobileViT.Inference.Batching;

// dotnet run -c Release --project benchmarks/AdmissionCalibratorCost -- [rounds]
// The admission calibrator's CPU per finished request with a full window, as the batcher uses it: each finished request
// is recorded, and each is followed by four admissions that read the margin (a 4x overload). Arms, interleaved round by
// round: refitting on every change (how the factor-and-offset margin was first committed) and once a 32nd of the
// window has changed (the default); windows of 1,024 and 4,096 samples. Prints the median per arm.
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
const int Requests = 20_000;
const int ReadsPerRequest = 4;
var arms = new (string Name, int Window, int Divisor)[]
{
    ("every change, 1024", 1024, int.MaxValue), ("1/32, 1024", 1024, AdmissionCalibrator.DefaultRefitDivisor),
    ("every change, 4096", 4096, int.MaxValue), ("1/32, 4096", 4096, AdmissionCalibrator.DefaultRefitDivisor),
};
var results = arms.ToDictionary(a => a.Name, _ => new List<double>());
var random = new Random(22);
for (var round = 0; round < rounds; round++)
{
    foreach (var (name, window, divisor) in arms)
    {
        var calibrator = new AdmissionCalibrator(0.999, TimeSpan.FromHours(1), 2, TimeProvider.System, window, divisor);
        for (var i = 0; i < window; i++)
            Record(calibrator, random);
        var sink = 0.0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            Record(calibrator, random);
            for (var r = 0; r < ReadsPerRequest; r++)
                sink += calibrator.Margin.Factor;
        }
        watch.Stop();
        results[name].Add(watch.Elapsed.TotalMicroseconds / Requests);
        GC.KeepAlive(sink);
    }
}
Console.WriteLine($"{Environment.ProcessorCount} cores, {rounds} rounds of {Requests:N0} finished requests, {ReadsPerRequest} margin reads each");
foreach (var (name, _, _) in arms)
{
    var sorted = results[name].Order().ToList();
    Console.WriteLine($"{name,-20} median {sorted[sorted.Count / 2],8:F2} us per finished request (min {sorted[0]:F2}, max {sorted[^1]:F2})");
}
return 0;

static void Record(AdmissionCalibrator calibrator, Random random)
{
    var predicted = 0.25 + random.NextDouble() * 0.75;
    var actual = predicted * (1 + random.NextDouble() * 0.1) + (random.NextDouble() < 0.01 ? 0.2 : 0);
    calibrator.Record(new AdmissionPrediction(0, TimeSpan.Zero, TimeSpan.FromSeconds(predicted), true), TimeSpan.FromSeconds(actual));
}
