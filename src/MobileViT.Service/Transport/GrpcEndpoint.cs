using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MobileViT.Service.Transport;

/// <summary>
/// The Kestrel endpoint named <c>Grpc</c> in <c>Kestrel:Endpoints</c>: forced to HTTP/2 (gRPC over cleartext needs
/// prior-knowledge HTTP/2), and its bound address once the server has started, port 0 resolved.
/// </summary>
internal sealed class GrpcEndpoint
{
    public const string Name = "Grpc";

    private ListenOptions? _listen;
    private bool _tls;

    /// <summary>Over TLS (an <c>https://</c> URL with a certificate) HTTP/2 is negotiated with ALPN; in cleartext it is spoken with prior knowledge.</summary>
    internal void Configure(ListenOptions listen, bool tls)
    {
        listen.Protocols = HttpProtocols.Http2;
        _listen = listen;
        _tls = tls;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:8081</c> (<c>https://</c> over TLS); null when no such endpoint is configured or before start.</summary>
    public Uri? Address => _listen?.EndPoint is IPEndPoint { Port: > 0 } ip
        ? new Uri($"{(_tls ? "https" : "http")}://{(ip.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : ip.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : ip.Address).ToString().Replace("::1", "[::1]")}:{ip.Port}")
        : null;
}
