using MobileViT.Inference.Serving;

namespace MobileViT.Service.Transport;

/// <summary>
/// Endpoint metadata for routes whose protocol defines its own error body (KServe V2: <c>{"error": "..."}</c>). The
/// status, <c>Retry-After</c> and <c>WWW-Authenticate</c> still come from <see cref="HttpErrorTable"/>; only the body
/// differs. Routes without it answer with RFC 7807 problem+json.
/// </summary>
internal interface IErrorResponseRenderer
{
    IResult Render(InferenceException error, int status);
}
