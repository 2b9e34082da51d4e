using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Service.Grpc.V1;

namespace MobileViT.Service.Grpc;

/// <summary>Conversions from the inference core's results and model descriptions to <c>mobilevit.v1</c> messages.</summary>
public static class ClassifierMessages
{
    public static ClassifyResponse ToResponse(InferenceResponse result)
    {
        var sample = result.Samples[0];
        var inference = sample.Succeeded();
        var response = new ClassifyResponse
        {
            Model = result.Model.Name,
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

    public static ModelInfo ToMessage(ModelDescription model) => new()
    {
        Name = model.Name,
        Source = model.Source,
        Synthetic = model.Synthetic ?? false,
        Default = model.Default,
        Ready = model.Ready,
        State = model.State,
        InputChannels = model.InputSize?.Channels ?? 0,
        InputHeight = model.InputSize?.Height ?? 0,
        InputWidth = model.InputSize?.Width ?? 0,
        LabelCount = model.LabelCount ?? 0,
        ExecutionProvider = model.ExecutionProvider ?? "",
        Instances = model.Instances ?? 0,
        MaxBatchSize = model.Batching.MaxBatchSize ?? 0,
        Error = model.Error ?? "",
        PreprocessingMode = model.Preprocessing?.Mode ?? "",
        PreprocessingPlacement = model.Preprocessing?.Placement ?? "",
        Tuning = model.Tuning is { } tuning ? ToMessage(tuning) : null,
    };

    private static TuningSummary ToMessage(ModelDescription.TuningSummary tuning)
    {
        var message = new TuningSummary
        {
            Chosen = ToMessage(tuning.Chosen),
            WithinLatencyBudget = tuning.WithinLatencyBudget,
            LatencyBudgetMs = tuning.LatencyBudgetMs,
            DurationSeconds = tuning.DurationSeconds,
            TimeBudgetSeconds = tuning.TimeBudgetSeconds,
            Skipped = tuning.Skipped,
        };
        message.Candidates.AddRange(tuning.Candidates.Select(ToMessage));
        return message;
    }

    private static TuningPoint ToMessage(ModelDescription.TuningPoint point) => new()
    {
        Instances = point.Instances,
        IntraOpThreads = point.IntraOpThreads,
        MaxBatchSize = point.MaxBatchSize,
        ImagesPerSecond = point.ImagesPerSecond,
        LatencyP50Ms = point.LatencyP50Ms ?? double.NaN,
    };
}
