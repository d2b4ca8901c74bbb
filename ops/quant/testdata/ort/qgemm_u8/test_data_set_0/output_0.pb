
ByJ[}kQwyxŠuN€o£oŽ~ŠoªÈjºy¨¤ƒƒ