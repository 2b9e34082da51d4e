return MobileViT.Cli.CliApp.Run(args, Console.Out, Console.Error);
