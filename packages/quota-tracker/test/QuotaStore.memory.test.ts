import { QuotaStore } from "../src/index.js"
import { contract } from "./QuotaStoreContract.js"

contract("memory", QuotaStore.layerMemory)
