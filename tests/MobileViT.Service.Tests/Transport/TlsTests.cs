using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Net.Client;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Transport;

/// <summary>
/// TLS with Kestrel's standard certificate settings, as README documents them for a Kubernetes Secret (<c>tls.crt</c>,
/// <c>tls.key</c>): an <c>Https</c> endpoint for REST and the gRPC endpoint over TLS (HTTP/2 by ALPN), with a
/// self-signed certificate the test makes itself. The client trusts exactly that certificate.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _directory = new();
    private X509Certificate2 _certificate = null!;
    private RunningService _service = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory.Path);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var crt = Path.Combine(_directory.Path, "tls.crt");
        var pem = Path.Combine(_directory.Path, "tls.key");
        await File.WriteAllTextAsync(crt, _certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(pem, key.ExportPkcs8PrivateKeyPem());

        _service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel())
        {
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = crt,
            ["Kestrel:Endpoints:Https:Certificate:KeyPath"] = pem,
            ["Kestrel:Endpoints:Grpc:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Grpc:Certificate:Path"] = crt,
            ["Kestrel:Endpoints:Grpc:Certificate:KeyPath"] = pem,
        });
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _certificate.Dispose();
        _directory.Dispose();
    }

    private SocketsHttpHandler TrustingOnlyTheTestCertificate() => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == _certificate.GetCertHashString() },
    };

    [Fact]
    public async Task Rest_is_served_over_https_with_the_configured_certificate_and_HTTP2_by_ALPN()
    {
        var grpcPort = _service.GrpcAddress.Port;
        var https = new Uri(_service.App.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal) && new Uri(u).Port != grpcPort));
        using var client = new HttpClient(TrustingOnlyTheTestCertificate()) { BaseAddress = https };

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/models/tiny/classify")
        {
            Content = ImageContent.Of(TestImages.Png(32, 32), "image/png"),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task Grpc_is_served_over_TLS_on_its_endpoint()
    {
        Assert.Equal("https", _service.GrpcAddress.Scheme);
        using var channel = GrpcChannel.ForAddress(_service.GrpcAddress, new GrpcChannelOptions { HttpHandler = TrustingOnlyTheTestCertificate() });

        var response = await new Classifier.ClassifierClient(channel).ClassifyAsync(
            new ClassifyRequest { Model = "tiny", Image = ByteString.CopyFrom(TestImages.Png(32, 32)), TopK = 1 });

        Assert.Single(response.Predictions);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_certificate_is_refused_by_its_own_TLS_check()
    {
        var grpcPort = _service.GrpcAddress.Port;
        var https = new Uri(_service.App.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal) && new Uri(u).Port != grpcPort));
        using var client = new HttpClient { BaseAddress = https };

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("health/live"));

        Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
    }
}
