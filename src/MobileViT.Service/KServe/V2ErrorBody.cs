using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>The V2 protocol's error body, <c>{"error": "..."}</c>, on every <c>/v2</c> route, whichever layer refused the request.</summary>
internal sealed class V2ErrorBody : IErrorResponseRenderer
{
    public IResult Render(InferenceException error, int status) => Results.Json(new { error = error.Message }, statusCode: status);
}
