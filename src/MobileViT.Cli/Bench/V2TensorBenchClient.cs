using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MobileViT.Cli.Bench;

/// <summary>
/// POSTs one preprocessed FP32 <c>pixel_values</c> tensor of <paramref name="batch"/> samples to the V2 REST infer
/// endpoint, as JSON numbers (<c>v2-json</c>) or as Triton binary tensor data with a binary <c>logits</c> output
/// (<c>v2-binary</c>). The body is built once; the values are what preprocessing yields (k/255).
/// </summary>
public sealed class V2TensorBenchClient : IBenchClient
{
    private const int SampleLength = 3 * 256 * 256;

    private readonly HttpClient _http;
    private readonly string _path;
    private readonly byte[] _body;
    private readonly string _contentType;
    private readonly int? _headerLength;

    public V2TensorBenchClient(Uri baseAddress, string model, bool binary, int batch, string? apiKey = null)
    {
        _http = new HttpClient(BenchHandler.Create(apiKey))
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _path = $"v2/models/{Uri.EscapeDataString(model)}/infer";
        Protocol = $"{(binary ? "v2-binary" : "v2-json")} b{batch}";
        var random = new Random(batch);
        var pixels = new float[batch * SampleLength];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = random.Next(256) / 255f;
        var shape = new[] { batch, 3, 256, 256 };
        if (binary)
        {
            var header = JsonSerializer.SerializeToUtf8Bytes(new
            {
                inputs = new[] { new { name = "pixel_values", shape, datatype = "FP32", parameters = new { binary_data_size = pixels.Length * sizeof(float) } } },
                outputs = new[] { new { name = "logits", parameters = new { binary_data = true } } },
            });
            _body = [.. header, .. MemoryMarshal.AsBytes(pixels.AsSpan())];
            _contentType = "application/octet-stream";
            _headerLength = header.Length;
        }
        else
        {
            _body = JsonSerializer.SerializeToUtf8Bytes(new { inputs = new[] { new { name = "pixel_values", shape, datatype = "FP32", data = pixels } } });
            _contentType = "application/json";
        }
    }

    public string Protocol { get; }

    /// <summary>The request body's size in bytes.</summary>
    public int BodyBytes => _body.Length;

    public async Task<BenchResponse> SendAsync(byte[] image, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(_body);
        content.Headers.ContentType = new MediaTypeHeaderValue(_contentType);
        if (_headerLength is { } length)
            content.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", length.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var response = await _http.PostAsync(_path, content, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response.IsSuccessStatusCode
                ? new BenchResponse(true, "200")
                : new BenchResponse(false, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        }
        catch (HttpRequestException e)
        {
            return new BenchResponse(false, e.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new BenchResponse(false, "client-timeout");
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
