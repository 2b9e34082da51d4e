namespace MobileViT.Service.Transport;

/// <summary>
/// Marks an endpoint or gRPC method whose caller is admitted by the inference core (API key, rate limit, counted in
/// the request metrics): the transport's key check leaves it to the core. Every other endpoint that is not public
/// is checked by <see cref="ApiKeyMiddleware"/> or <see cref="ApiKeyInterceptor"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class CoreAdmissionAttribute : Attribute;
