namespace MobileViT.Service.Http;

/// <summary>
/// Serves the web page: <c>/</c> is the page, <c>/ui/{file}</c> its scripts and styles. The Content-Security-Policy
/// lets the page load and connect to this origin only, so it works air-gapped and cannot reach another host.
/// </summary>
internal static class PageEndpoints
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; script-src 'self'; style-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapWebPage(this IEndpointRouteBuilder app)
    {
        var assets = PageAssets.Load(typeof(PageEndpoints).Assembly);
        // Public: the page's own API calls carry the key the user enters.
        app.MapGet("/", (HttpContext context) => Serve(context, assets, "index.html")).ExcludeFromDescription().AllowAnonymous();
        app.MapGet("/ui/{file}", (string file, HttpContext context) => Serve(context, assets, file)).ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    private static IResult Serve(HttpContext context, PageAssets assets, string path)
    {
        if (!assets.TryGet(path, out var asset))
            return TypedResults.Problem($"The page has no file '{path}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found",
                type: Transport.HttpErrorTable.TypeBase + "not-found");
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidate every time: the page changes with the service, and the ETag makes an unchanged file a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
