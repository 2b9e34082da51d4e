using System.Globalization;
using System.Net.Http.Headers;

namespace MobileViT.Cli.Bench;

/// <summary>POSTs the raw JPEG to <c>/v1/classify</c> (or a named model) and reads the timing headers.</summary>
public sealed class HttpBenchClient : IBenchClient
{
    private readonly HttpClient _http;
    private readonly string _path;

    public HttpBenchClient(Uri baseAddress, string? model, string path = "")
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _path = path.Length > 0 ? path : model is null ? "v1/classify" : $"v1/models/{Uri.EscapeDataString(model)}/classify";
    }

    public string Protocol => "http";

    public async Task<BenchResponse> SendAsync(byte[] image, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        try
        {
            using var response = await _http.PostAsync(_path, content, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
                return new BenchResponse(false, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            return new BenchResponse(true, "200", Header(response, "x-batch-size"), Header(response, "x-queue-time-ms"), Header(response, "x-inference-time-ms"),
                Header(response, "x-preprocess-time-ms"));
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

    private static double Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && double.TryParse(values.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
