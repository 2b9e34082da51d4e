using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Service.Grpc.V1;

namespace MobileViT.Service.Tests.Access;

/// <summary>
/// Guessing keys is limited per client address: after the configured number of wrong keys, the address's further
/// attempts get 429 with Retry-After (gRPC RESOURCE_EXHAUSTED) before any key is checked, a right key included; other
/// addresses are served; the attempts are counted, and no key ever reaches the logs.
/// </summary>
public sealed class FailedAuthenticationLimitTests : IAsyncLifetime
{
    private const int MaxFailedAttempts = 3;
    private KeyedService _keyed = null!;

    public async Task InitializeAsync() => _keyed = await KeyedService.StartAsync(new Dictionary<string, string>
    {
        ["MobileViT:Auth:MaxFailedAttempts"] = MaxFailedAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MobileViT:Auth:FailedAttemptWindowSeconds"] = "600",
    });

    public async Task DisposeAsync() => await _keyed.DisposeAsync();

    [Fact]
    public async Task After_too_many_wrong_keys_an_address_is_refused_before_any_key_is_checked_and_others_are_not()
    {
        using var failures = new FailureCounter(_keyed.Service.App.Services.GetRequiredService<IMeterFactory>());
        using var guesser = ClientFrom("127.0.0.1");
        using var other = ClientFrom("127.0.0.2");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await SendAsync(guesser, $"key-guess-{i:D4}");
            statuses.Add(response.StatusCode);
        }
        using var rightKeyFromGuesser = await SendAsync(guesser, KeyedService.FileKey);
        using var rightKeyElsewhere = await SendAsync(other, KeyedService.FileKey);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => new Classifier.ClassifierClient(_keyed.Channel)
            .ListModelsAsync(new ListModelsRequest(), KeyedService.Bearer(KeyedService.WrongKey)).ResponseAsync);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, MaxFailedAttempts), statuses.Take(MaxFailedAttempts));
        Assert.All(statuses.Skip(MaxFailedAttempts), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightKeyFromGuesser.StatusCode);
        Assert.True(rightKeyFromGuesser.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {rightKeyFromGuesser.Headers.RetryAfter}");
        Assert.Contains("too-many-failed-authentications", await rightKeyFromGuesser.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, rightKeyElsewhere.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Equal(MaxFailedAttempts, failures.Of("invalid_key"));
        Assert.Equal(30 - MaxFailedAttempts + 2, failures.Of("limited"));
        Assert.DoesNotContain(_keyed.Logs.Entries, e => e.Message.Contains("key-guess-", StringComparison.Ordinal));
    }

    private Task<HttpResponseMessage> SendAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request);
    }

    /// <summary>A client whose connections come from <paramref name="localAddress"/>: another host, as the service sees it.</summary>
    private HttpClient ClientFrom(string localAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = _keyed.Service.BaseAddress };

    private sealed class FailureCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _counts = [];

        public FailureCounter(IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                // This service's meter only: tests run several services in one process.
                if (instrument.Name == "mobilevit.auth.failures" && ReferenceEquals(instrument.Meter.Scope, meters))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason")
                        lock (_counts)
                            _counts[(string)tag.Value!] = _counts.GetValueOrDefault((string)tag.Value!) + value;
                }
            });
            _listener.Start();
        }

        public long Of(string reason)
        {
            lock (_counts)
                return _counts.GetValueOrDefault(reason);
        }

        public void Dispose() => _listener.Dispose();
    }
}
