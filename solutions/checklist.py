"""Referência do caderno 10_checklist (o checklist do módulo a partir do registo de progresso)."""

from otimizacao.manifesto import REGRAS


def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    """Aplica a tabela de regras ``REGRAS`` a um registo de progresso.

    Devolve ``{item: bool}`` com todos os itens de ``REGRAS``, pela mesma ordem. Um item está
    demonstrado se pelo menos uma das suas alternativas se cumpre. Uma alternativa cumpre-se se:
    - cada exercício de ``alternativa["exercicios"]`` está em ``progresso["exercicios"]`` com
      ``"passou"`` igual a True;
    - cada condição ``(caderno, figura, operador, limite)`` de ``alternativa["figuras"]`` tem o
      valor ``progresso["figuras"][caderno][figura]``, um número (int ou float), que cumpre
      ``valor >= limite`` (operador ">=") ou ``valor <= limite`` (operador "<=").
    Chaves em falta (um registo vazio, um caderno sem figuras, ...) e figuras que não são
    números dão False, nunca um erro. O registo não é alterado.
    """
    exercicios = progresso.get("exercicios")
    exercicios = exercicios if isinstance(exercicios, dict) else {}
    figuras = progresso.get("figuras")
    figuras = figuras if isinstance(figuras, dict) else {}

    def cumpre(alternativa) -> bool:
        for nome in alternativa["exercicios"]:
            registo = exercicios.get(nome)
            if not isinstance(registo, dict) or registo.get("passou") is not True:
                return False
        for caderno, figura, operador, limite in alternativa["figuras"]:
            do_caderno = figuras.get(caderno)
            valor = do_caderno.get(figura) if isinstance(do_caderno, dict) else None
            if isinstance(valor, bool) or not isinstance(valor, (int, float)):
                return False
            if operador == ">=" and not valor >= limite:
                return False
            if operador == "<=" and not valor <= limite:
                return False
        return True

    return {item: any(cumpre(a) for a in alternativas) for item, alternativas in REGRAS.items()}
