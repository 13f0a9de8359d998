// typeinfer for VS Code: starts `typeinfer lsp` over stdio and forwards the "typeinfer" settings.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("typeinfer");
  const command = config.get<string[]>("command", ["typeinfer", "lsp"]);
  const serverOptions: ServerOptions = {
    command: command[0],
    args: command.slice(1),
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: "python" },
      { language: "typescript" },
      { language: "typescriptreact" },
      { language: "javascript" },
      { language: "javascriptreact" },
    ],
    synchronize: { configurationSection: "typeinfer" },
    initializationOptions: config,
  };
  client = new LanguageClient("typeinfer", "typeinfer", serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
