using System.Net;
using System.Net.Http.Headers;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MobileViT.Service.Tests.Access;

/// <summary>
/// One access mechanism for every endpoint: each REST route and gRPC method the service maps, including one added
/// later with no attributes at all, refuses a caller without a key, except the few that say <c>AllowAnonymous</c>,
/// which are exactly the documented public ones.
/// </summary>
public sealed class EveryEndpointIsProtectedTests : IAsyncLifetime
{
    private const string AddedLater = "/added-later";

    /// <summary>The public endpoints: health, the page and its files, V2 live and ready, gRPC health.</summary>
    private static readonly HashSet<string> Public =
    [
        "GET /health/live", "GET /health/startup", "GET /health/ready", "GET /v2/health/live", "GET /v2/health/ready", "GET /", "GET /ui/{file}",
        "POST /grpc.health.v1.Health/Check", "POST /grpc.health.v1.Health/Watch",
        "POST /inference.GRPCInferenceService/ServerLive", "POST /inference.GRPCInferenceService/ServerReady",
    ];

    private KeyedService _keyed = null!;

    public async Task InitializeAsync() =>
        _keyed = await KeyedService.StartAsync(map: app => app.MapGet(AddedLater, () => "added later"));

    public async Task DisposeAsync() => await _keyed.DisposeAsync();

    [Fact]
    public void The_endpoints_that_allow_anonymous_callers_are_exactly_the_public_ones()
    {
        var anonymous = Endpoints().Where(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => e.Name).ToHashSet();

        Assert.Equal(Public.Order(), anonymous.Order());
    }

    [Fact]
    public async Task Every_other_endpoint_refuses_a_caller_without_a_key()
    {
        var protectedEndpoints = Endpoints().Where(e => !Public.Contains(e.Name)).ToList();
        Assert.Contains(protectedEndpoints, e => e.Name == "GET " + AddedLater);
        Assert.Contains(protectedEndpoints, e => e.Endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not null);

        var admitted = new List<string>();
        foreach (var (name, endpoint) in protectedEndpoints)
        {
            var status = endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not null
                ? "grpc-status " + await GrpcStatusWithoutKeyAsync(name)
                : ((int)(await HttpWithoutKeyAsync(name)).StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (status is not ("grpc-status 16" or "401"))
                admitted.Add($"{name} ({status})");
        }

        Assert.True(admitted.Count == 0, "admitted without a key: " + string.Join(", ", admitted));
    }

    [Fact]
    public async Task An_endpoint_added_with_no_attributes_serves_a_caller_with_a_key()
    {
        using var response = await _keyed.SendAsync("GET", AddedLater, KeyedService.FileKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private IEnumerable<(string Name, RouteEndpoint Endpoint)> Endpoints() =>
        _keyed.Service.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => ($"{method} {Route(e)}", e)))
            // A gRPC service's catch-all for methods it does not implement goes with the service.
            .Where(e => !e.Item1.Contains("{unimplemented", StringComparison.Ordinal));

    private static string Route(RouteEndpoint endpoint) => "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');

    private async Task<HttpResponseMessage> HttpWithoutKeyAsync(string name)
    {
        var (method, route) = (name[..name.IndexOf(' ')], name[(name.IndexOf(' ') + 1)..]);
        var path = route.Replace("{name}", KeyedService.Model).Replace("{version}", "1").Replace("{file}", "app.js");
        using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        return await _keyed.Http.SendAsync(request);
    }

    /// <summary>The grpc-status of a call with an empty message and no key, over a raw HTTP/2 request to the gRPC endpoint.</summary>
    private async Task<string?> GrpcStatusWithoutKeyAsync(string name)
    {
        using var http = new HttpClient { BaseAddress = _keyed.Service.GrpcAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, name[(name.IndexOf(' ') + 2)..])
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();
        return response.Headers.TryGetValues("grpc-status", out var inHeaders) ? inHeaders.First()
            : response.TrailingHeaders.TryGetValues("grpc-status", out var inTrailers) ? inTrailers.First() : $"none (HTTP {(int)response.StatusCode})";
    }
}
