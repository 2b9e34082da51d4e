using System.Net.Sockets;
using System.Text;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>
/// HTTP/1.1 over a plain socket, for requests no well-behaved client sends: a Content-Length shorter than the body,
/// chunked bodies of any length cut anywhere, any header value. One request per connection (<c>Connection: close</c>);
/// the answer is read to the end of the connection. (A body shorter than its Content-Length cannot be sent: Kestrel
/// takes a half-closed connection for a client gone, and otherwise waits for the rest.)
/// </summary>
public sealed class RawHttpClient(Uri baseAddress)
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <param name="contentLength">Sent as is; null sends the body chunked (in chunks of <paramref name="chunkBytes"/>).</param>
    /// <param name="hold">Chunked only: after <paramref name="body"/>, the request waits for this before it sends <paramref name="rest"/> and ends.</param>
    public async Task<Response> SendAsync(string path, IEnumerable<(string Name, string Value)> headers, byte[] body, long? contentLength,
        int chunkBytes = 64 * 1024, Task? hold = null, byte[]? rest = null, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(baseAddress.Host, baseAddress.Port, cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = new StringBuilder($"POST {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        if (contentLength is { } length)
            head.Append("Content-Length: ").Append(length).Append("\r\n");
        else
            head.Append("Transfer-Encoding: chunked\r\n");
        head.Append("\r\n");
        // Read while writing: a server that refuses a body answers before it has all of it. The answer is what is
        // returned; the rest of the body is abandoned with the connection.
        var reading = ReadToEndAsync(stream, cancellationToken);
        var writing = WriteAsync(stream, Encoding.ASCII.GetBytes(head.ToString()), body, contentLength is null, chunkBytes, hold, rest, cancellationToken);
        var response = Parse(await reading);
        _ = writing.ContinueWith(t => t.Exception, TaskScheduler.Default);
        return response;
    }

    private static async Task WriteAsync(NetworkStream stream, byte[] head, byte[] body, bool chunked, int chunkBytes, Task? hold, byte[]? rest,
        CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(head, cancellationToken);
            if (!chunked)
            {
                await stream.WriteAsync(body, cancellationToken);
                return;
            }
            await WriteChunksAsync(stream, body, chunkBytes, cancellationToken);
            if (hold is not null)
            {
                await hold;
                await WriteChunksAsync(stream, rest ?? [], chunkBytes, cancellationToken);
            }
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The server answered and closed before taking the whole body, or the answer came and the connection was let go.
        }
    }

    private static async Task WriteChunksAsync(NetworkStream stream, byte[] body, int chunkBytes, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < body.Length; offset += chunkBytes)
        {
            var count = Math.Min(chunkBytes, body.Length - offset);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{count:x}\r\n"), cancellationToken);
            await stream.WriteAsync(body.AsMemory(offset, count), cancellationToken);
            await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }
    }

    /// <summary>Reads until the response is complete (its length, or its last chunk) or the connection ends: a server may answer a body it refuses while the client still sends it, and keep the connection to drain the rest.</summary>
    private static async Task<byte[]> ReadToEndAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var response = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while (!IsComplete(response.GetBuffer().AsSpan(0, (int)response.Length)) && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                response.Write(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // A reset after the response: what arrived is the answer.
        }
        return response.ToArray();
    }

    private static bool IsComplete(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return false;
        var head = Encoding.ASCII.GetString(bytes[..end]).ToLowerInvariant();
        var body = bytes[(end + 4)..];
        if (head.Contains("transfer-encoding: chunked"))
            return body.EndsWith("0\r\n\r\n"u8);
        var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("content-length:", StringComparison.Ordinal));
        return length is not null && body.Length >= long.Parse(length["content-length:".Length..].Trim());
    }

    private static Response Parse(byte[] bytes)
    {
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (!bytes.AsSpan().StartsWith("HTTP/1.1 "u8) || end < 0)
            return new Response(0, new Dictionary<string, string>(), Encoding.UTF8.GetString(bytes));
        var lines = Encoding.ASCII.GetString(bytes, 0, end).Split("\r\n");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0)
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var body = bytes.AsSpan(end + 4);
        var chunked = headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        return new Response(int.Parse(lines[0].Split(' ')[1]), headers, Encoding.UTF8.GetString(chunked ? Dechunk(body) : body));
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> body)
    {
        var result = new MemoryStream();
        while (!body.IsEmpty)
        {
            var lineEnd = body.IndexOf("\r\n"u8);
            if (lineEnd < 0 || !int.TryParse(Encoding.ASCII.GetString(body[..lineEnd]), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
                break;
            body = body[(lineEnd + 2)..];
            result.Write(body[..Math.Min(size, body.Length)]);
            body = body[Math.Min(size + 2, body.Length)..];
        }
        return result.ToArray();
    }
}
