namespace MobileViT.Service.Transport;

/// <summary>
/// Endpoint metadata of a route or gRPC method that runs inference: the <c>protocol</c> label its requests are counted
/// under, so that a request refused before its handler runs (by authorization) is still counted once.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class InferenceEndpoint(string protocol) : Attribute
{
    public string Protocol { get; } = protocol;
}
