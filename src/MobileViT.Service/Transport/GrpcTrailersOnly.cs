using System.Text;
using Grpc.Core;

namespace MobileViT.Service.Transport;

/// <summary>
/// A gRPC call answered with its status alone, before the call's handler runs: a trailers-only response (HTTP 200,
/// <c>content-type: application/grpc</c>, <c>grpc-status</c> and a percent-encoded <c>grpc-message</c> in the headers),
/// as the gRPC over HTTP/2 protocol defines it.
/// </summary>
internal static class GrpcTrailersOnly
{
    public static void Write(HttpResponse response, Status status, Metadata trailers)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(status.Detail);
        foreach (var entry in trailers)
            response.Headers[entry.Key] = entry.Value;
    }

    /// <summary>Every byte of the UTF-8 text outside printable ASCII, and '%', as %XX.</summary>
    private static string PercentEncode(string text)
    {
        var encoded = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
                encoded.Append((char)b);
            else
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }
}
