namespace MobileViT.Inference.Serving;

/// <summary>
/// One inference request as its adapter first knows it, whatever protocol it came in on: the model it names (null or
/// empty: the default model) and the version (<see cref="Version"/>), the protocol label of the request metrics (e.g. <c>http</c> or <c>grpc</c>), who is
/// calling, and the transport's absolute deadline when it has one (a gRPC call's). Everything else arrives with the
/// scope's <see cref="InferenceCall.Admit"/> and <see cref="InferenceCall.RunAsync"/>.
/// </summary>
public sealed record InferenceRequest(string? Model, string Protocol, Caller Caller)
{
    /// <summary>An absolute deadline; the earlier of this and the timeout given at admission applies. One already past is deadline exceeded.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The model version the request pins, as its protocol wrote it (e.g. <c>"2"</c>); null or empty: the model's default version.</summary>
    public string? Version { get; init; }
}
