using System.Text;

namespace MobileViT.Service.Tests.Hostile;

/// <summary>multipart/form-data bodies written byte by byte, so that any boundary and any part header can be sent.</summary>
public static class MultipartBody
{
    public static byte[] Of(string boundary, IEnumerable<(string Field, string? FileName, byte[] Bytes)> parts, bool closed = true)
    {
        var body = new MemoryStream();
        foreach (var (field, fileName, bytes) in parts)
        {
            var disposition = fileName is null ? $"form-data; name=\"{field}\"" : $"form-data; name=\"{field}\"; filename=\"{fileName}\"";
            Write(body, $"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: application/octet-stream\r\n\r\n");
            body.Write(bytes);
            Write(body, "\r\n");
        }
        if (closed)
            Write(body, $"--{boundary}--\r\n");
        return body.ToArray();
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));
}
