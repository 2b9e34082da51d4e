using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

// dotnet run -c Release --project benchmarks/OptimizedModelStart -- MODEL.onnx [rounds]
// 1. Session creation as the service does it (1 intra-op thread, sequential), in interleaved rounds: from the model with
//    all optimisations (today), and from the optimised model ONNX Runtime saves through OptimizedModelFilePath, loaded
//    with no optimisation and with all (medians).
// 2. The first runs of a new session, batch sizes 1 and 2 alternating, with ONNX Runtime's memory pattern on (the
//    default) and off: why the service's warm-up runs every batch size twice.
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: OptimizedModelStart MODEL.onnx [rounds]");
    return 2;
}
var model = File.ReadAllBytes(args[0]);
var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 9;
var saved = Path.Combine(Path.GetTempPath(), $"optimized-{Guid.NewGuid():N}.onnx");
try
{
    using (var options = Options(GraphOptimizationLevel.ORT_ENABLE_ALL))
    {
        options.OptimizedModelFilePath = saved;
        using var _ = new InferenceSession(model, options);
    }
    var optimized = File.ReadAllBytes(saved);
    var (fromModel, fromSavedNone, fromSavedAll) = (new List<double>(), new List<double>(), new List<double>());
    for (var i = 0; i < rounds; i++)
    {
        fromModel.Add(CreationMs(model, GraphOptimizationLevel.ORT_ENABLE_ALL));
        fromSavedNone.Add(CreationMs(optimized, GraphOptimizationLevel.ORT_DISABLE_ALL));
        fromSavedAll.Add(CreationMs(optimized, GraphOptimizationLevel.ORT_ENABLE_ALL));
    }
    Console.WriteLine($"{args[0]}: session creation, median of {rounds}: from the model (all optimisations) {Median(fromModel):0} ms; " +
        $"from the saved optimised model ({optimized.Length / 1024} KiB): no optimisation {Median(fromSavedNone):0} ms, all {Median(fromSavedAll):0} ms");
    foreach (var memoryPattern in new[] { true, false })
        Console.WriteLine($"first runs, batch 1 and 2 alternating, memory pattern {(memoryPattern ? "on" : "off")}: {string.Join(", ", FirstRunsMs(model, memoryPattern).Select(ms => $"{ms:0}"))} ms");
    return 0;
}
finally
{
    File.Delete(saved);
}

static SessionOptions Options(GraphOptimizationLevel level) => new()
{
    GraphOptimizationLevel = level, IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
};

static double CreationMs(byte[] model, GraphOptimizationLevel level)
{
    using var options = Options(level);
    var started = Stopwatch.GetTimestamp();
    using var session = new InferenceSession(model, options);
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

static IEnumerable<double> FirstRunsMs(byte[] model, bool memoryPattern)
{
    using var options = Options(GraphOptimizationLevel.ORT_ENABLE_ALL);
    options.EnableMemoryPattern = memoryPattern;
    options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
    using var session = new InferenceSession(model, options);
    var input = session.InputMetadata.Keys.First();
    var output = session.OutputMetadata.Keys.First();
    var results = new List<double>();
    foreach (var batch in new[] { 1, 2, 1, 2, 1, 2, 1, 2 })
    {
        using var pixels = OrtValue.CreateTensorValueFromMemory(new float[batch * 3 * 256 * 256], new long[] { batch, 3, 256, 256 });
        using var logits = OrtValue.CreateTensorValueFromMemory(new float[batch * 1000], new long[] { batch, 1000 });
        using var runOptions = new RunOptions();
        var started = Stopwatch.GetTimestamp();
        session.Run(runOptions, [input], [pixels], [output], [logits]);
        results.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
    return results;
}

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}
