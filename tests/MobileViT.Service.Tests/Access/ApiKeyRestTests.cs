using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Inference.Access;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Tests.Access;

/// <summary>API keys over REST against the real server: every protected route refuses no key and a wrong key and serves a good one; public routes stay open.</summary>
public sealed class ApiKeyRestTests(KeyedServiceFixture fixture) : IClassFixture<KeyedServiceFixture>
{
    private KeyedService Keyed => fixture.Keyed;

    public static TheoryData<string, string> ProtectedRoutes => new()
    {
        { "GET", "/v1/models" },
        { "GET", "/v1/models/tiny" },
        { "GET", "/v1/stats" },
        { "POST", "/v1/classify" },
        { "POST", "/v1/models/tiny/classify" },
        { "POST", "/v1/models/tiny/classify/batch" },
        { "POST", "/v1/models/tiny/preprocess" },
        { "GET", "/v2" },
        { "GET", "/v2/models/tiny" },
        { "GET", "/v2/models/tiny/ready" },
        { "POST", "/v2/models/tiny/infer" },
        { "GET", "/metrics" },
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task A_protected_route_refuses_no_key_and_a_wrong_key_with_401_and_a_bearer_challenge(string method, string path)
    {
        using var none = await Keyed.SendAsync(method, path, key: null);
        using var wrong = await Keyed.SendAsync(method, path, KeyedService.WrongKey);

        await AssertRefusedAsync(none, ErrorCodes.MissingApiKey, path);
        await AssertRefusedAsync(wrong, ErrorCodes.InvalidApiKey, path);
        Assert.Contains("error=\"invalid_token\"", wrong.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task A_protected_route_serves_a_key_from_the_file_and_one_from_configuration(string method, string path)
    {
        using var fromFile = await Keyed.SendAsync(method, path, KeyedService.FileKey);
        using var fromConfig = await Keyed.SendAsync(method, path, KeyedService.ConfigKey);

        Assert.True(fromFile.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)fromFile.StatusCode} {await fromFile.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.OK, fromConfig.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/startup")]
    [InlineData("/health/ready")]
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    [InlineData("/")]
    [InlineData("/ui/app.js")]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task Health_the_web_page_and_Swagger_need_no_key(string path)
    {
        using var response = await Keyed.SendAsync("GET", path, key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/v1/models/no-such-model/classify")]
    [InlineData("POST", "/v2/models/no-such-model/infer")]
    [InlineData("GET", "/v1/models/no-such-model")]
    [InlineData("GET", "/v2/models/no-such-model")]
    public async Task Without_a_key_a_client_cannot_tell_which_models_exist(string method, string path)
    {
        using var response = await Keyed.SendAsync(method, path, key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Refusals_and_served_requests_are_counted_with_the_keys_name_as_client()
    {
        var refusedBefore = Keyed.Requests.ByClient(RequestOutcome.Of(ErrorKind.Unauthenticated), ClientLabel.Unauthenticated);
        var servedBefore = Keyed.Requests.ByClient(RequestOutcome.Success, KeyedService.FileKeyName);

        using var refused = await Keyed.SendAsync("POST", "/v1/models/tiny/classify", KeyedService.WrongKey);
        using var served = await Keyed.SendAsync("POST", "/v1/models/tiny/classify", KeyedService.FileKey);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(refusedBefore + 1, Keyed.Requests.ByClient(RequestOutcome.Of(ErrorKind.Unauthenticated), ClientLabel.Unauthenticated));
        Assert.Equal(servedBefore + 1, Keyed.Requests.ByClient(RequestOutcome.Success, KeyedService.FileKeyName));

    }

    [Fact]
    public async Task A_gRPC_content_type_on_a_REST_route_does_not_skip_the_key_check()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models") { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        using var response = await Keyed.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_authorization_header_of_another_scheme_counts_as_no_key()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String("reader:x"u8.ToArray()));

        using var response = await Keyed.Http.SendAsync(request);

        await AssertRefusedAsync(response, ErrorCodes.MissingApiKey);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme_that_Swagger_UIs_Authorize_sends()
    {
        using var document = JsonDocument.Parse(await Keyed.Http.GetStringAsync("swagger/v1/swagger.json"));

        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.True(document.RootElement.GetProperty("security").GetArrayLength() > 0);
    }

    /// <summary>401 with a Bearer challenge; the body is problem+json, or on <c>/v2</c> routes the V2 protocol's <c>{"error": ...}</c>.</summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code, string path = "")
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        if (path.StartsWith("/v2", StringComparison.Ordinal))
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.False(string.IsNullOrWhiteSpace((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()));
            return;
        }
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:mobilevit:problem:" + code, problem.GetProperty("type").GetString());
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }
}
