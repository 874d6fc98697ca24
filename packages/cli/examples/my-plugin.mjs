// A reclaim plugin module for `--reclaim <path>`. The CLI takes the default
// export (else `plugin`, else `createPlugin`): a plugin object, or a factory
// called once per engine. This one reuses pt-reclaim's hooks under its own name.
import { ptReclaim } from "@mmsim/reclaim-pt-reclaim";

export default function myPlugin() {
  return { ...ptReclaim(), name: "my-pt-reclaim", version: "0.0.1", models: "pt-reclaim, renamed (an example)" };
}
