using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// Errors of the <c>/v2</c> REST routes in the protocol's own form, <c>{"error": "..."}</c>, with the status (and
/// <c>Retry-After</c>) the rest of the HTTP API gives the same error (<see cref="HttpErrorTable"/>).
/// </summary>
public sealed class V2ErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (Exception e) when (AsInferenceException(e, http) is { } error
            && !(http.RequestAborted.IsCancellationRequested && error.Kind == ErrorKind.Cancelled))
        {
            return HttpErrorTable.WithBearerChallenge(error, HttpErrorTable.WithRetryAfter(error, Results.Json(new { error = error.Message }, statusCode: HttpErrorTable.For(error).Status)));
        }
    }

    private static InferenceException? AsInferenceException(Exception e, HttpContext http) => e switch
    {
        InferenceException inference => inference,
        BadHttpRequestException bad => RequestBodyErrors.From(bad, http.Request.ContentLength ?? 0),
        _ => null,
    };
}
