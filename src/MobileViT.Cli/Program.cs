Console.WriteLine("mobilevit");
