using System.Text.RegularExpressions;

namespace MobileViT.Service.Tests.RequestPath;

/// <summary>
/// The protocol adapters (REST v1, gRPC Classifier, KServe V2) depend on the core and on the shared transport
/// tables, never on each other: a change to one protocol cannot leak into another. Access is the host's one
/// authentication scheme, so no adapter touches credentials; and the core knows nothing of ASP.NET.
/// </summary>
public sealed partial class AdapterBoundaryTests
{
    private static readonly string[] Adapters = ["Http", "Grpc", "KServe"];

    [Theory]
    [InlineData("Http")]
    [InlineData("Grpc")]
    [InlineData("KServe")]
    public void An_adapter_uses_no_other_adapters_types(string adapter)
    {
        var folder = Path.Combine(SharedFixtures.RepositoryRoot, "src", "MobileViT.Service", adapter);
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var others = Adapters.Where(a => a != adapter).ToList();

        var offending = files
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, i)))
            .Where(l => others.Any(other => ReferencesAdapter(l.line, other)))
            .Select(l => $"{Path.GetFileName(l.file)}:{l.i + 1}: {l.line.Trim()}")
            .ToList();

        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    [Theory]
    [InlineData("Http")]
    [InlineData("Grpc")]
    [InlineData("KServe")]
    public void An_adapter_never_reads_credentials_or_key_types(string adapter)
    {
        var offending = SourceLines(Path.Combine("src", "MobileViT.Service", adapter))
            .Where(l => CredentialReference().IsMatch(l.Line))
            .Select(l => $"{l.File}:{l.Number}: {l.Line.Trim()}")
            .ToList();

        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    [Fact]
    public void No_core_type_references_ASP_NET()
    {
        var core = typeof(MobileViT.Inference.Serving.InferenceService).Assembly;
        Assert.DoesNotContain(core.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        var offending = SourceLines(Path.Combine("src", "MobileViT.Inference"))
            .Where(l => l.Line.Contains("Microsoft.AspNetCore", StringComparison.Ordinal) || l.Line.Contains("HttpContext", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Number}: {l.Line.Trim()}")
            .ToList();
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    private static IEnumerable<(string File, int Number, string Line)> SourceLines(string folder) =>
        Directory.GetFiles(Path.Combine(SharedFixtures.RepositoryRoot, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (Path.GetFileName(file), i + 1, line)));

    // The Authorization header (or gRPC metadata), bearer tokens, and the key store's types; ASP.NET's authorization
    // namespace is allowed, for [AllowAnonymous] on the few public endpoints.
    [GeneratedRegex(@"(?<!AspNetCore\.)Authorization|authorization|Bearer|ApiKey|Credential")]
    private static partial Regex CredentialReference();

    private static bool ReferencesAdapter(string line, string adapter) =>
        line.Contains($"MobileViT.Service.{adapter};") || line.Contains($"MobileViT.Service.{adapter}.") ||
        AliasOrQualified().Matches(line).Any(m => m.Groups["ns"].Value == adapter);

    // Names qualified by a sibling namespace, e.g. "Http.ModelInfo" inside MobileViT.Service.Grpc; the gRPC
    // libraries' own namespaces (Grpc.Core, Grpc.Net, ...) are not the adapter.
    [GeneratedRegex(@"(?<![\w.])(?<ns>Http|Grpc|KServe)\.(?!Core\b|Net\b|AspNetCore\b|Health|Reflection\b|Tools\b)[A-Z]\w+")]
    private static partial Regex AliasOrQualified();
}
