namespace MobileViT.Service.KServe;

/// <summary>
/// A REST V2 inference request as read from its body (JSON, or JSON header and binary tensors). <see cref="Owner"/>
/// holds the memory the tensors live in and their share of the request memory budget; disposing it gives both back.
/// <see cref="BinaryOutputs"/> is <c>binary_data_output</c>: outputs not named send binary data.
/// <see cref="TimeoutMicroseconds"/> and <see cref="PriorityLevel"/> are Triton's <c>parameters.timeout</c> and
/// <c>parameters.priority</c>, as sent (range-checked where they are converted).
/// </summary>
internal sealed record V2RestRequest(string? Id, IReadOnlyList<V2InputTensor> Inputs, IReadOnlyList<V2RequestedOutput> Outputs, bool BinaryOutputs,
    long? TimeoutMicroseconds,
    long? PriorityLevel,
    IDisposable? Owner);
