using MobileViT.Inference.Classification;
using MobileViT.Service.Grpc.V1;


namespace MobileViT.Service.Grpc;

/// <summary>Conversions from the inference core's results to <c>mobilevit.v1</c> messages.</summary>
public static class ClassifierMessages
{
    public const int DefaultTopK = 5;

    public static ClassifyResponse ToResponse(ClassificationResult result)
    {
        var response = new ClassifyResponse
        {
            Model = result.Model,
            Synthetic = result.Synthetic,
            Timing = new ServerTiming
            {
                QueueMs = result.Inference.QueueTime.TotalMilliseconds,
                InferenceMs = result.Inference.InferenceTime.TotalMilliseconds,
                BatchSize = result.Inference.BatchSize,
                PreprocessMs = result.PreprocessTime.TotalMilliseconds,
            },
        };
        response.Predictions.AddRange(result.Predictions.Select(p => new V1.Prediction { Index = p.Index, Label = p.Label, Score = p.Score }));
        return response;
    }

    public static ModelInfo ToMessage(Http.ModelInfo model) => new()
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
    };
}
