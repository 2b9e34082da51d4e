using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Service.Grpc.V1;

namespace MobileViT.Service.Grpc;

/// <summary>Conversions from the inference core's results and model descriptions to <c>mobilevit.v1</c> messages.</summary>
internal static class ClassifierMessages
{
    public static ClassifyResponse ToResponse(InferenceResponse result)
    {
        var sample = result.Samples[0];
        var inference = sample.Succeeded();
        var response = new ClassifyResponse
        {
            Model = result.Model.Name,
            Version = result.Model.Version,
            Synthetic = result.Model.Synthetic,
            Timing = new ServerTiming
            {
                QueueMs = inference.QueueTime.TotalMilliseconds,
                InferenceMs = inference.InferenceTime.TotalMilliseconds,
                BatchSize = inference.BatchSize,
                PreprocessMs = sample.PreprocessTime.TotalMilliseconds,
            },
        };
        response.Predictions.AddRange(sample.Predictions!.Select(p => new V1.Prediction { Index = p.Index, Label = p.Label, Score = p.Score }));
        return response;
    }

    public static ModelInfo ToMessage(ModelDescription model)
    {
        var loaded = model.Loaded;
        return new ModelInfo
        {
            Name = model.Name,
            Source = model.Source,
            Synthetic = loaded?.Synthetic ?? false,
            Default = model.Default,
            Ready = model.Ready,
            State = model.State.Label(),
            InputChannels = loaded?.Signature.Channels ?? 0,
            InputHeight = loaded?.Signature.Height ?? 0,
            InputWidth = loaded?.Signature.Width ?? 0,
            LabelCount = loaded?.LabelCount ?? 0,
            ExecutionProvider = loaded?.ExecutionProvider ?? "",
            Instances = loaded?.Instances ?? 0,
            MaxBatchSize = model.Batching.MaxBatchSize ?? 0,
            Error = model.Error ?? "",
            PreprocessingMode = loaded?.PreprocessingMode.ToString().ToLowerInvariant() ?? "",
            PreprocessingPlacement = loaded?.PreprocessingPlacement.ToString().ToLowerInvariant() ?? "",
            Tuning = loaded?.Tuning is { } tuning ? ToMessage(tuning) : null,
            Version = model.Version ?? 0,
            VersionPolicy = model.VersionPolicy,
            FromRepository = model.Origin == ModelDescription.FromRepository,
            Versions =
            {
                model.Versions.Select(v => new VersionInfo
                {
                    Version = v.Version, State = v.State.Label(), Reason = v.Reason ?? "", Default = v.Default, Shadow = v.Shadow, ImagesRun = v.ImagesRun,
                }),
            },
            Shadow = model.Shadow is { } s ? ToMessage(s) : null,
        };
    }

    private static ShadowAgreement ToMessage(Inference.Models.Shadow.ShadowAgreementSnapshot s) => new()
    {
        Version = s.Version,
        ShadowVersion = s.ShadowVersion,
        Sample = s.Sample,
        Compared = s.Compared,
        Dropped = s.Dropped,
        Failed = s.Failed,
        Top1Agreement = s.Top1Agreement ?? double.NaN,
        Top5Overlap = s.Top5Overlap ?? double.NaN,
        MeanAbsLogitDelta = s.MeanAbsLogitDelta ?? double.NaN,
        LatencyP50Ms = s.LatencyP50Ms ?? double.NaN,
        LatencyP99Ms = s.LatencyP99Ms ?? double.NaN,
    };

    private static TuningSummary ToMessage(Inference.Tuning.TuningResult tuning)
    {
        var message = new TuningSummary
        {
            Chosen = ToMessage(tuning.Chosen, tuning.Measured),
            WithinLatencyBudget = tuning.WithinLatencyBudget,
            LatencyBudgetMs = tuning.LatencyBudgetMs,
            DurationSeconds = Math.Round(tuning.Duration.TotalSeconds, 2),
            TimeBudgetSeconds = tuning.TimeBudget.TotalSeconds,
            Skipped = tuning.Skipped,
        };
        message.Candidates.AddRange(tuning.Measured.Select(ToMessage));
        return message;
    }

    private static TuningPoint ToMessage(Inference.Tuning.TuningCandidate chosen, IReadOnlyList<Inference.Tuning.TuningMeasurement> measured) =>
        ToMessage(measured.First(m => m.Candidate == chosen));

    private static TuningPoint ToMessage(Inference.Tuning.TuningMeasurement point) => new()
    {
        Instances = point.Candidate.Instances,
        IntraOpThreads = point.Candidate.IntraOpThreads,
        MaxBatchSize = point.Candidate.MaxBatchSize,
        ImagesPerSecond = Math.Round(point.ImagesPerSecond, 1),
        LatencyP50Ms = double.IsNaN(point.LatencyP50Ms) ? double.NaN : Math.Round(point.LatencyP50Ms, 2),
    };
}
