
	BaJ-ЎПqAПXjЕeхыТbqg|kyт=Љ—E¶ZUЮаҐ€·ЈjKї|·S.