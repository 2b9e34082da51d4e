using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Access;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Access;

/// <summary>
/// The real service with API keys: one from the key file (<see cref="FileKeyName"/>) and one from configuration
/// (<see cref="ConfigKeyName"/>), <c>/metrics</c> protected (the default), on a fake clock that drives the key file's reloads.
/// </summary>
public sealed class KeyedService : IAsyncDisposable
{
    public const string Model = "tiny";
    public const string FileKeyName = "reader";
    public const string FileKey = "key-reader-7f3a9c2e41";
    public const string ConfigKeyName = "ops";
    public const string ConfigKey = "key-ops-51d2e8a0b7";
    public const string WrongKey = "key-wrong-0000000000";
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(2);

    private readonly TemporaryDirectory _directory;

    private KeyedService(TemporaryDirectory directory, RunningService service, FakeTimeProvider clock, CapturedLogs logs)
    {
        _directory = directory;
        Service = service;
        Clock = clock;
        Logs = logs;
        Requests = new RequestCounter(service.App.Services.GetRequiredService<IMeterFactory>());
        Channel = service.CreateGrpcChannel();
    }

    public RunningService Service { get; }
    public FakeTimeProvider Clock { get; }
    public CapturedLogs Logs { get; }
    public RequestCounter Requests { get; }
    public global::Grpc.Net.Client.GrpcChannel Channel { get; }
    public string KeyFile => Path.Combine(_directory.Path, "api-keys");
    public HttpClient Http => Service.Client;

    /// <summary>Starts the service with the key file holding <paramref name="keyFile"/> (default: the reader key) and <paramref name="settings"/> on top.</summary>
    public static async Task<KeyedService> StartAsync(IReadOnlyDictionary<string, string>? settings = null, string? keyFile = null,
        Action<Microsoft.AspNetCore.Builder.WebApplication>? map = null)
    {
        var directory = new TemporaryDirectory();
        Directory.CreateDirectory(directory.Path);
        var path = Path.Combine(directory.Path, "api-keys");
        await File.WriteAllTextAsync(path, keyFile ?? $"# name:key, one per line\n\n{FileKeyName}:{FileKey}\n");
        var all = new Dictionary<string, string>(RunningService.SmallModel(Model))
        {
            ["MobileViT:Auth:ApiKeysFile"] = path,
            ["MobileViT:Auth:ApiKeys:0"] = $"{ConfigKeyName}:{ConfigKey}",
            ["MobileViT:Auth:ReloadIntervalSeconds"] = ReloadInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            // The access tests present many wrong keys from one address on purpose; FailedAuthenticationLimitTests sets its own limit.
            ["MobileViT:Auth:MaxFailedAttempts"] = "100000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            all[key] = value;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new CapturedLogs();
        var service = await RunningService.StartAsync(all, configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Logging.AddProvider(logs);
        }, map: map);
        return new KeyedService(directory, service, clock, logs);
    }

    public static Metadata Bearer(string? key) => key is null ? [] : new Metadata { { "authorization", $"Bearer {key}" } };

    /// <summary>Replaces the key file the way Kubernetes updates a mounted Secret: a new file renamed over the old one.</summary>
    public void ReplaceKeyFileAtomically(string content)
    {
        var next = KeyFile + ".next";
        File.WriteAllText(next, content);
        File.Move(next, KeyFile, overwrite: true);
    }

    /// <summary>Lets the key file's reload interval pass on the fake clock: the store checks the file now.</summary>
    public void LetReloadIntervalPass() => Clock.Advance(ReloadInterval);

    public Task<HttpResponseMessage> SendAsync(string method, string path, string? key)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/')) { Content = method == "POST" ? BodyFor(path) : null };
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return Http.SendAsync(request);
    }

    private static HttpContent BodyFor(string path)
    {
        var image = TestImages.Png(32, 32);
        if (path.EndsWith("/infer", StringComparison.Ordinal))
            return JsonContent.Create(new { inputs = new[] { new { name = "image", shape = new[] { 1 }, datatype = "BYTES", data = new[] { Convert.ToBase64String(image) } } } });
        if (path.EndsWith("/batch", StringComparison.Ordinal))
        {
            var multipart = new MultipartFormDataContent();
            multipart.Add(ImageContent.Of(image, "image/png"), "images", "a.png");
            return multipart;
        }
        return ImageContent.Of(image, "image/png");
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        Requests.Dispose();
        await Service.DisposeAsync();
        _directory.Dispose();
    }
}
