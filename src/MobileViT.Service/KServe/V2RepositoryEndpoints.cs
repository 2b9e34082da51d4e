using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using MobileViT.Inference.Models.Repository;
using MobileViT.Inference.Serving;
using MobileViT.Service.Access;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// Triton's model repository extension over REST, the control API: <c>POST /v2/repository/index</c>,
/// <c>POST /v2/repository/models/{name}/load</c> (optional <c>parameters.config</c>, a ModelConfig in JSON) and
/// <c>POST /v2/repository/models/{name}/unload</c>. Mapped only with <c>MobileViT:Repository:ControlApi=true</c>, and
/// only for keys with the <c>admin</c> scope. Bodies may be empty (as Triton's clients send them); errors are the
/// protocol's <c>{"error": "..."}</c>.
/// </summary>
internal static class V2RepositoryEndpoints
{
    /// <summary>A control request carries at most a model configuration: far below this.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public static IEndpointRouteBuilder MapKServeV2Repository(this IEndpointRouteBuilder app)
    {
        // Read from configuration: the options are validated when the host starts, after the endpoints are mapped.
        if (!app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>("MobileViT:Repository:ControlApi"))
            return app;
        var group = app.MapGroup("/v2/repository").WithTags("Model repository").WithMetadata(new V2ErrorBody(), new AuthorizeAttribute(AccessPolicies.Admin));
        group.MapPost("/index", IndexAsync).WithName("V2RepositoryIndex")
            .WithSummary("Every version of every model, loaded or only in the repository: name, version, state (READY, LOADING, UNLOADING, UNAVAILABLE), reason. " +
                "Body {\"ready\": true} keeps the ready ones. Needs the admin scope.");
        group.MapPost("/models/{name}/load", LoadAsync).WithName("V2RepositoryModelLoad")
            .WithSummary("Loads or reloads a model from the repository (explicit control): new versions load and warm beside the serving ones, then " +
                "traffic switches. parameters.config (a Triton ModelConfig in JSON) sets version_policy and the default_version, shadow_version and " +
                "shadow_sample parameters until the next load without one. 400 with the reason when a version fails; what serves stays. Needs the admin scope.");
        group.MapPost("/models/{name}/unload", UnloadAsync).WithName("V2RepositoryModelUnload")
            .WithSummary("Unloads a model: it takes no more requests; those admitted finish, then its versions are disposed. Needs the admin scope.");
        return app;
    }

    private static async Task<IResult> IndexAsync(HttpContext context, ModelRepository repository)
    {
        using var body = await ReadBodyAsync(context);
        var ready = body is not null && body.RootElement.TryGetProperty("ready", out var r)
            ? r.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InvalidRequestException("'ready' must be true or false.", ErrorCodes.BadParameter),
            }
            : false;
        return Results.Json(repository.Index(ready).Select(e => new V2RepositoryIndexEntryJson(e.Name, e.Version, e.State, e.Reason)).ToList());
    }

    private static async Task<IResult> LoadAsync(string name, HttpContext context, ModelRepository repository)
    {
        using var body = await ReadBodyAsync(context);
        string? config = null;
        foreach (var parameter in Parameters(body))
        {
            if (parameter.Name == "config")
            {
                config = parameter.Value.ValueKind == JsonValueKind.String
                    ? parameter.Value.GetString()
                    : throw new InvalidRequestException("parameters.config must be a string: a Triton ModelConfig in JSON.", ErrorCodes.BadParameter);
            }
            else if (parameter.Name.StartsWith("file:", StringComparison.Ordinal))
            {
                throw new InvalidRequestException(
                    $"parameters.{parameter.Name}: loading model files sent with the request is not supported; put the version in the repository " +
                    "(<model>/<version>/) and load it.", ErrorCodes.BadParameter);
            }
        }
        await repository.LoadAsync(name, config, context.RequestAborted);
        return Results.Ok();
    }

    private static async Task<IResult> UnloadAsync(string name, HttpContext context, ModelRepository repository)
    {
        using var body = await ReadBodyAsync(context);
        // unload_dependents (ensembles) has nothing to act on here: a model has no dependents.
        _ = Parameters(body).ToList();
        await repository.UnloadAsync(name, context.RequestAborted);
        return Results.Ok();
    }

    private static IEnumerable<JsonProperty> Parameters(JsonDocument? body)
    {
        if (body is null || !body.RootElement.TryGetProperty("parameters", out var parameters))
            return [];
        return parameters.ValueKind == JsonValueKind.Object
            ? parameters.EnumerateObject()
            : throw new InvalidRequestException("'parameters' must be an object.", ErrorCodes.BadParameter);
    }

    /// <summary>The body as a JSON object; null when it is empty (Triton's clients send none for the index).</summary>
    private static async Task<JsonDocument?> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                    throw new InferenceException(ErrorKind.PayloadTooLarge, $"A repository request body is at most {MaxBodyBytes} bytes.");
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            throw RequestBodyErrors.From(e, MaxBodyBytes);
        }
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            return null;
        try
        {
            var document = JsonDocument.Parse(buffer.ToArray());
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                return document;
            document.Dispose();
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"The body is not valid JSON: {e.Message}", ErrorCodes.BadBody);
        }
        throw new InvalidRequestException("The body must be a JSON object (or empty).", ErrorCodes.BadBody);
    }
}
