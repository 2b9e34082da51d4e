using MobileViT.Service.Hosting;

var app = MobileViTApp.Create(args);
await app.RunAsync();
return Environment.ExitCode;
