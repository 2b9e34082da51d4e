namespace MobileViT.Inference.Serving;

/// <summary>What a request wants back: the top-k classes with softmax scores, or the raw logits.</summary>
public enum OutputKind
{
    TopK,
    Logits,
}

/// <summary>
/// One inference request, whatever protocol it came in on. Its input is read by an <see cref="InputReader"/> once the
/// model is resolved and admission has passed, so that refusals cost no body read.
/// </summary>
public sealed record InferenceRequest
{
    public const int DefaultTopK = 5;

    /// <summary>The model's name; null or empty means the default model.</summary>
    public string? Model { get; init; }

    /// <summary>The protocol label of the request metrics, e.g. <c>http</c> or <c>grpc</c>.</summary>
    public required string Protocol { get; init; }

    public OutputKind Output { get; init; } = OutputKind.TopK;

    /// <summary>How many classes to return with <see cref="OutputKind.TopK"/>; null means <see cref="DefaultTopK"/>.</summary>
    public int? TopK { get; init; }

    /// <summary>The client's timeout, queueing included, counted from when the request arrived; must be positive. Null: the configured default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>An absolute deadline (e.g. a gRPC call's). The earlier of this and <see cref="Timeout"/> applies; one already past is deadline exceeded.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The API key the client presented (HTTP <c>Authorization: Bearer</c>, gRPC metadata <c>authorization</c>); null when none.</summary>
    public string? Credential { get; init; }

    /// <summary>The client's network address, for rate limits when no keys are configured; null when unknown.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>Which of the model's queues the request waits in; higher priorities are taken first.</summary>
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;

    /// <summary>
    /// The input declares request parameters (KServe V2 REST's <c>parameters.priority</c> and <c>parameters.timeout</c>
    /// are in the body): model-stage admission then waits until the input is read, and applies
    /// <see cref="InferenceInput.Priority"/> and <see cref="InferenceInput.Timeout"/> first.
    /// </summary>
    public bool ParametersInInput { get; init; }
}

/// <summary>Reads the request's input for the resolved model: parses the wire format, reads the body. Throws <see cref="InferenceException"/> for bad input.</summary>
public delegate ValueTask<InferenceInput> InputReader(Models.ServedModel model, CancellationToken cancellationToken);
