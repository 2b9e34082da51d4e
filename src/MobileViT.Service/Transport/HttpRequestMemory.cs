using MobileViT.Inference.Limits;

namespace MobileViT.Service.Transport;

internal static class HttpRequestMemory
{
    /// <summary>A lease of the process's request memory budget (from the request's services; unlimited where none is registered).</summary>
    public static RequestMemoryLease LeaseMemory(this HttpRequest request) =>
        (request.HttpContext.RequestServices.GetService<RequestMemoryBudget>() ?? RequestMemoryBudget.Unlimited).Lease();

    /// <summary>
    /// A lease holding <paramref name="bytes"/> already received (a gRPC message, read whole by gRPC), or the budget's
    /// refusal, holding nothing; dispose it once the request has run.
    /// </summary>
    public static RequestMemoryLease HoldReceived(this HttpContext context, long bytes)
    {
        var lease = context.Request.LeaseMemory();
        try
        {
            lease.Reserve(bytes);
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Makes Kestrel refuse a body beyond <paramref name="limit"/> (413) as it arrives, whatever the request declares.</summary>
    public static void LimitBody(this HttpRequest request, long limit)
    {
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
    }
}
