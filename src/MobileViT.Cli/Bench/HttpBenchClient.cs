using System.Globalization;
using System.Net.Http.Headers;

namespace MobileViT.Cli.Bench;

/// <summary>
/// POSTs the raw JPEG to <c>/v1/classify</c> (or a named model), with optional request headers (deadline, priority),
/// and reads the timing headers. With <c>expectContinue</c> it sends <c>Expect: 100-continue</c>: the body goes only
/// once the server has admitted the request.
/// </summary>
public sealed class HttpBenchClient : IBenchClient
{
    private readonly HttpClient _http;
    private readonly string _path;
    private readonly IReadOnlyDictionary<string, string> _headers;
    private readonly bool _expectContinue;

    public HttpBenchClient(Uri baseAddress, string? model, string path = "", IReadOnlyDictionary<string, string>? headers = null, bool expectContinue = false,
        string? apiKey = null)
    {
        _headers = headers ?? new Dictionary<string, string>();
        _expectContinue = expectContinue;
        _http = new HttpClient(BenchHandler.Create(apiKey))
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
            using var request = new HttpRequestMessage(HttpMethod.Post, _path) { Content = content };
            if (_expectContinue)
                request.Headers.ExpectContinue = true;
            foreach (var (name, value) in _headers)
                request.Headers.TryAddWithoutValidation(name, value);
            using var response = await _http.SendAsync(request, cancellationToken);
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
