namespace MobileViT.Cli.Bench;

/// <summary>
/// The HTTP handler every bench client sends through (HTTP/1.1 and the gRPC channels alike): unlimited pooled
/// connections and, with <c>--api-key</c>, the key as <c>Authorization: Bearer</c> on every request, which is how
/// both the REST routes and gRPC methods of a keyed server take it.
/// </summary>
internal static class BenchHandler
{
    public static HttpMessageHandler Create(string? apiKey, bool multipleHttp2Connections = false)
    {
        var sockets = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = multipleHttp2Connections,
        };
        return string.IsNullOrEmpty(apiKey) ? sockets : new BearerKeyHandler(apiKey) { InnerHandler = sockets };
    }

    private sealed class BearerKeyHandler(string apiKey) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + apiKey);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
