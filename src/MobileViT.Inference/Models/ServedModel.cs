using System.Buffers;
using System.Diagnostics;
using SkiaSharp;
using Microsoft.Extensions.Logging;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models.Repository;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Runtime;
using MobileViT.Inference.Sources;
using MobileViT.Inference.Telemetry;
using MobileViT.Inference.Tuning;

namespace MobileViT.Inference.Models;

/// <summary>A loaded, warmed version of a model: its labels, preprocessing, sessions and batcher.</summary>
public sealed class ServedModel : IAsyncDisposable
{
    private ServedModel(ModelOptions options, int version, ModelArtifacts artifacts, ImagePreprocessor preprocessor, ModelSignature signature,
        IReadOnlyList<SessionInstance> instances, ExecutionPlan plan, BatchingOptions batching, PreprocessingPlacement preprocessing, DynamicBatcher batcher,
        ModelStatisticsRecorder statistics)
    {
        Options = options;
        // The graph lives in the sessions from now on: the file's bytes (tens of MB for MobileViT-S) are not kept.
        artifacts = artifacts with { OnnxModel = [] };
        Version = version;
        VersionLabel = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Statistics = statistics;
        Artifacts = artifacts;
        Preprocessor = preprocessor;
        Signature = signature;
        Instances = instances;
        Plan = plan;
        Batching = batching;
        Preprocessing = preprocessing;
        Batcher = batcher;
        MaxBatchSize = instances[0].MaxBatchSize;
        InputBuffers = ArrayPool<float>.Create(signature.SampleLength,
            Serving.RequestPriorities.HighestFirst.Sum(p => batching.Priority.CapacityOf(p, batching.QueueCapacity)) + instances.Count * MaxBatchSize);
    }

    public string Name => Options.Name;
    public ModelOptions Options { get; }

    /// <summary>The version: a repository version's number, 1 for a configured model.</summary>
    public int Version { get; }

    /// <summary><see cref="Version"/> as protocols and metrics write it.</summary>
    public string VersionLabel { get; }

    /// <summary>This version's Triton statistics; each figure is also added to the model's.</summary>
    internal ModelStatisticsRecorder Statistics { get; }

    /// <summary>The requests admitted to this version and not yet finished.</summary>
    internal RequestLeases Leases { get; } = new();
    public ModelArtifacts Artifacts { get; }
    public bool Synthetic => Artifacts.Synthetic;
    public IReadOnlyList<string> Labels => Artifacts.Labels;
    public ImagePreprocessor Preprocessor { get; }
    public ModelSignature Signature { get; }
    public IReadOnlyList<SessionInstance> Instances { get; }
    public ExecutionPlan Plan { get; }
    public BatchingOptions Batching { get; }

    /// <summary>Where images are preprocessed, <see cref="ExecutionOptions.Preprocessing"/> resolved for the provider in use.</summary>
    public PreprocessingPlacement Preprocessing { get; }

    /// <summary>Exact (bit-identical to Hugging Face) or fast JPEG decoding: <see cref="PreprocessingOptions.Mode"/> or the model's override.</summary>
    public PreprocessingMode PreprocessingMode => Preprocessor.Mode;

    /// <summary>The largest batch, <see cref="BatchingOptions.MaxBatchSize"/> or, when that is unset, the automatic choice for the provider in use.</summary>
    public int MaxBatchSize { get; }

    /// <summary>
    /// Input tensors being preprocessed or waiting in the queue when images are preprocessed on request threads: enough
    /// for a full queue plus the batches being formed. Rented lazily, so unused with worker preprocessing.
    /// </summary>
    public ArrayPool<float> InputBuffers { get; }
    public DynamicBatcher Batcher { get; }
    public TimeSpan LoadDuration { get; private init; }
    public TimeSpan WarmUpDuration { get; private init; }

    /// <summary>The warm-up sweep that chose <see cref="Plan"/> and <see cref="MaxBatchSize"/>; null unless <c>Execution:Tuning</c> is <c>auto</c>.</summary>
    public TuningResult? Tuning { get; private init; }

    /// <summary>The providers the instances run on, e.g. <c>CPU</c>, or <c>CUDA:0</c> where every instance got the GPU.</summary>
    public string ExecutionProvider => string.Join(",", Instances.Select(i => i.ExecutionProvider).Distinct());

    /// <summary>
    /// Creates, tunes (when configured) and warms the model's sessions and its batcher; <paramref name="progress"/> hears
    /// of each stage as it begins (<see cref="ModelState.Tuning"/>, <see cref="ModelState.Warming"/>).
    /// </summary>
    /// <param name="beside">
    /// Another version of the model serves meanwhile: the instances are created and warmed one after another on a thread
    /// of lower priority (<see cref="LowPriorityThread"/>, <c>Repository:LoadPriority</c>), so that the load takes the CPU
    /// the requests being served leave.
    /// </param>
    public static ServedModel Load(ModelOptions options, int version, ModelArtifacts artifacts, MobileViTOptions settings, int modelCount,
        SessionFactory sessions, InferenceMetrics metrics, ModelStatistics statistics, ILoggerFactory loggers, TimeProvider? time = null,
        Action<ModelState>? progress = null, bool beside = false)
    {
        var logger = loggers.CreateLogger<ServedModel>();
        var started = Stopwatch.GetTimestamp();
        var plan = ExecutionPlan.Resolve(settings.Execution, Environment.ProcessorCount, modelCount);
        var providers = settings.Execution.ParseProviders();
        TuningResult? tuning = null;
        if (settings.Execution.ParseTuning() == true)
        {
            progress?.Invoke(ModelState.Tuning);
            tuning = Tune(options, artifacts, settings, modelCount, sessions, providers, logger);
            plan = new ExecutionPlan(tuning.Chosen.Instances, tuning.Chosen.IntraOpThreads);
        }
        var instances = new List<SessionInstance>();
        try
        {
            // Beside a serving version, the sessions are created and warmed on a thread of lower priority, so the load
            // uses the CPU that serving leaves; not with intra-op thread pools (their threads would inherit the priority
            // and serve with it) nor when tuning (its measurements need the usual priority).
            (ModelSignature Signature, int MaxBatch, PreprocessingPlacement Preprocessing, TimeSpan Loaded, TimeSpan WarmUp) Prepare() =>
                CreateAndWarm(options, artifacts, settings, sessions, providers, plan, tuning, beside, instances, started, progress);
            var priority = settings.Repository.LoadPriority.ToLowerInvariant();
            var prepared = beside && plan.IntraOpThreads == 1 && tuning is null && priority != RepositoryOptions.NormalPriority
                ? LowPriorityThread.Run($"load-{options.Name}-{version}", idle: priority == RepositoryOptions.IdlePriority, Prepare)
                : Prepare();
            ModelLog.Loaded(logger, options.Name, artifacts.Origin, prepared.Loaded.TotalMilliseconds, plan.Instances, plan.IntraOpThreads,
                string.Join(",", instances.Select(i => i.ExecutionProvider).Distinct()), prepared.Preprocessing.ToString().ToLowerInvariant(), prepared.MaxBatch,
                prepared.WarmUp.TotalMilliseconds);

            JpegDecoderNotice.LogOnce(logger);
            var preprocessor = new ImagePreprocessor(artifacts.Preprocessor, settings.Limits.MaxImagePixels, settings.Preprocessing.ResolveMode(options));
            WarmUp(preprocessor);
            // The batcher's workers start here, on the caller's thread, at the usual priority.
            var recorder = statistics.For(options.Name, version);
            var batcher = new DynamicBatcher(options.Name, settings.Batching, instances, metrics, recorder,
                loggers.CreateLogger<DynamicBatcher>(), time, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new ServedModel(options, version, artifacts, preprocessor, prepared.Signature, instances, plan, settings.Batching, prepared.Preprocessing,
                batcher, recorder)
            {
                LoadDuration = prepared.Loaded,
                WarmUpDuration = prepared.WarmUp,
                Tuning = tuning,
            };
        }
        catch
        {
            foreach (var instance in instances)
                instance.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the plan's session instances into <paramref name="instances"/> and warms each with every batch size (one
    /// after another when <paramref name="beside"/> a serving version, all at once otherwise).
    /// </summary>
    private static (ModelSignature Signature, int MaxBatch, PreprocessingPlacement Preprocessing, TimeSpan Loaded, TimeSpan WarmUp) CreateAndWarm(
        ModelOptions options, ModelArtifacts artifacts, MobileViTOptions settings, SessionFactory sessions, IReadOnlyList<ExecutionProviderKind> providers,
        ExecutionPlan plan, TuningResult? tuning, bool beside, List<SessionInstance> instances, long started, Action<ModelState>? progress)
    {
        int? maxBatch = null;
        PreprocessingPlacement? preprocessing = null;
        ModelSignature? signature = null;
        for (var i = 0; i < plan.Instances; i++)
        {
            var (session, provider) = sessions.Create(artifacts.OnnxModel, providers, plan.IntraOpThreads, settings.Execution.CudaDeviceId, options.Name, i);
            try
            {
                signature ??= ModelSignature.FromSession(session, artifacts.Preprocessor.CropHeight, artifacts.Preprocessor.CropWidth);
            }
            catch
            {
                session.Dispose();
                throw;
            }
            var onGpu = provider.StartsWith("CUDA", StringComparison.Ordinal);
            maxBatch ??= tuning?.Chosen.MaxBatchSize ?? settings.Batching.ResolveMaxBatchSize(onGpu);
            preprocessing ??= settings.Execution.ResolvePreprocessing(onGpu);
            instances.Add(new SessionInstance(i, session, provider, signature, maxBatch.Value));
        }
        if (signature!.ClassCount != artifacts.Labels.Count)
            throw new ModelSourceException($"Model '{options.Name}' outputs {signature.ClassCount} classes but config.json has {artifacts.Labels.Count} labels.");
        var loaded = Stopwatch.GetElapsedTime(started);

        progress?.Invoke(ModelState.Warming);
        var warmStarted = Stopwatch.GetTimestamp();
        if (beside)
        {
            foreach (var instance in instances)
                instance.WarmUp();
        }
        else
        {
            Parallel.ForEach(instances, new ParallelOptions { MaxDegreeOfParallelism = instances.Count }, instance => instance.WarmUp());
        }
        return (signature, maxBatch!.Value, preprocessing!.Value, loaded, Stopwatch.GetElapsedTime(warmStarted));
    }

    /// <summary>
    /// Sweeps the tuning grid for the provider a first session gets, within <c>Execution:TuningBudgetSeconds</c> (that
    /// first session included), on sessions that are disposed afterwards: the chosen ones are created and warmed as usual.
    /// </summary>
    private static TuningResult Tune(ModelOptions options, ModelArtifacts artifacts, MobileViTOptions settings, int modelCount,
        SessionFactory sessions, IReadOnlyList<ExecutionProviderKind> providers, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        var execution = settings.Execution;
        var (probe, provider) = sessions.Create(artifacts.OnnxModel, providers, 1, execution.CudaDeviceId, options.Name, 0);
        ModelSignature signature;
        using (probe)
            signature = ModelSignature.FromSession(probe, artifacts.Preprocessor.CropHeight, artifacts.Preprocessor.CropWidth);
        var onGpu = provider.StartsWith("CUDA", StringComparison.Ordinal);
        var grid = TuningGrid.For(onGpu, Math.Max(1, Environment.ProcessorCount / Math.Max(1, modelCount)));
        var budget = TimeSpan.FromSeconds(execution.TuningBudgetSeconds) - Stopwatch.GetElapsedTime(started);
        var tuner = new ExecutionTuner(budget, execution.TuningLatencyBudgetMs, TimeProvider.System);
        using var measurer = SessionPointMeasurer.For(sessions, artifacts.OnnxModel, providers, execution.CudaDeviceId, options.Name, signature,
            grid.Max(c => c.MaxBatchSize));
        var result = tuner.Run(grid, measurer.Measure) with { TimeBudget = TimeSpan.FromSeconds(execution.TuningBudgetSeconds) };
        result = result with { Duration = Stopwatch.GetElapsedTime(started) };
        ModelLog.Tuned(logger, options.Name, provider, result.Duration.TotalSeconds, result.Chosen.ToString(),
            result.WithinLatencyBudget ? $"best throughput within {result.LatencyBudgetMs:0} ms" : $"none within {result.LatencyBudgetMs:0} ms, lowest latency",
            result.Measured.Count, grid.Count,
            string.Join("; ", result.Measured.Select(m => $"{m.Candidate}: {m.ImagesPerSecond:0.0} img/s, p50 {m.LatencyP50Ms:0.0} ms")));
        return result;
    }

    /// <summary>Runs the decode and resize paths once per format so the first client does not pay for their JIT compilation.</summary>
    private static void WarmUp(ImagePreprocessor preprocessor)
    {
        var buffer = new float[preprocessor.OutputLength];
        using var bitmap = new SKBitmap(320, 240, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(90, 140, 200));
        using var image = SKImage.FromBitmap(bitmap);
        foreach (var format in new[] { SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Png })
        {
            using var encoded = image.Encode(format, 90);
            preprocessor.Preprocess(encoded.AsSpan(), buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Batcher.DisposeAsync().ConfigureAwait(false);
        DisposeInstances();
    }

    /// <summary>Releases the sessions; the batcher must have been disposed first.</summary>
    internal void DisposeInstances()
    {
        foreach (var instance in Instances)
            instance.Dispose();
    }
}
