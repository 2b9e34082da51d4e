using Microsoft.AspNetCore.Diagnostics;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Transport;

/// <summary>
/// The one exception-handling path of the HTTP endpoints: an <see cref="InferenceException"/> becomes its problem
/// (<see cref="HttpErrorTable"/>), a request whose client went away gets nothing, and a body Kestrel refused gets its
/// status. Handled exceptions are expected outcomes: no error is logged for them. Anything else is a bug: 500.
/// </summary>
internal sealed class InferenceExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.RequestAborted.IsCancellationRequested && InferenceException.KindOf(exception) == ErrorKind.Cancelled)
            return true;
        var error = exception switch
        {
            InferenceException inference => inference,
            BadHttpRequestException bad => RequestBodyErrors.From(bad, httpContext.Request.ContentLength ?? 0),
            _ => null,
        };
        if (error is null)
            return false;
        // The exception handler has cleared the endpoint; the feature keeps the one that threw, for its error body.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        await HttpErrorTable.ToResult(error, endpoint).ExecuteAsync(httpContext);
        return true;
    }
}
