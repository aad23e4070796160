# Respostas de alunos imaginários ao caderno 10_checklist, para provar que a avaliação é justa.
# Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# O aluno «meio certo»: troca >= por > e perde só a célula dos limites (1 dos 3 pontos).


# %% certa itens_demonstrados: com operator, all e any, e try/except para o que falta
import operator

_OPERADORES = {">=": operator.ge, "<=": operator.le}


def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    feitos = {n for n, e in (progresso.get("exercicios") or {}).items() if e.get("passou") is True}

    def medida_ok(caderno, figura, op, limite):
        try:
            valor = progresso["figuras"][caderno][figura]
        except (KeyError, TypeError):
            return False
        if isinstance(valor, bool) or not isinstance(valor, (int, float)):
            return False
        return _OPERADORES[op](valor, limite)

    resultado = {}
    for item, alternativas in REGRAS.items():
        resultado[item] = any(
            set(a["exercicios"]) <= feitos and all(medida_ok(*c) for c in a["figuras"]) for a in alternativas
        )
    return resultado


# %% certa itens_demonstrados: com ciclos e uma bandeira, numbers.Real
import numbers


def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    registo_ex = progresso.get("exercicios", {})
    registo_fig = progresso.get("figuras", {})
    saida = dict.fromkeys(REGRAS, False)
    for item in REGRAS:
        for alternativa in REGRAS[item]:
            ok = True
            for nome in alternativa["exercicios"]:
                if registo_ex.get(nome, {}).get("passou") != True:  # noqa: E712
                    ok = False
            for caderno, figura, op, limite in alternativa["figuras"]:
                valor = registo_fig.get(caderno, {}).get(figura)
                if not isinstance(valor, numbers.Real) or isinstance(valor, bool):
                    ok = False
                elif op == ">=":
                    ok = ok and valor >= limite
                else:
                    ok = ok and valor <= limite
            if ok:
                saida[item] = True
    return saida


# %% errada itens_demonstrados: conta um exercício registado mesmo com passou = False
# falha: teste_itens_demonstrados
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def ok(a):
        if not all(n in ex for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            v = fig.get(c, {}).get(f)
            if not isinstance(v, (int, float)):
                return False
            if (op == ">=" and v < lim) or (op == "<=" and v > lim):
                return False
        return True

    return {item: any(ok(a) for a in alts) for item, alts in REGRAS.items()}


# %% errada itens_demonstrados: uma medida em falta conta como cumprida
# falha: teste_itens_demonstrados
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def ok(a):
        if not all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            v = fig.get(c, {}).get(f)
            if v is None:
                continue
            if not isinstance(v, (int, float)) or (op == ">=" and v < lim) or (op == "<=" and v > lim):
                return False
        return True

    return {item: any(ok(a) for a in alts) for item, alts in REGRAS.items()}


# %% errada itens_demonstrados: ignora as medidas: só olha para os exercícios
# falha: teste_itens_demonstrados
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    return {item: any(all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]) for a in alts)
            for item, alts in REGRAS.items()}


# %% errada itens_demonstrados: devolve só os itens demonstrados (os False ficam de fora)
# falha: teste_itens_demonstrados
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def ok(a):
        if not all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            v = fig.get(c, {}).get(f)
            if not isinstance(v, (int, float)) or (op == ">=" and v < lim) or (op == "<=" and v > lim):
                return False
        return True

    return {item: True for item, alts in REGRAS.items() if any(ok(a) for a in alts)}


# %% errada itens_demonstrados: rebenta num registo vazio (progresso['exercicios'] sem .get)
# falha: teste_itens_demonstrados
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso["exercicios"]
    fig = progresso["figuras"]

    def ok(a):
        if not all(n in ex and ex[n]["passou"] is True for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            if c not in fig or f not in fig[c]:
                return False
            v = fig[c][f]
            if not isinstance(v, (int, float)) or (op == ">=" and v < lim) or (op == "<=" and v > lim):
                return False
        return True

    return {item: any(ok(a) for a in alts) for item, alts in REGRAS.items()}


# %% errada itens_demonstrados: compara a medida sem ver se é um número (rebenta com texto ou listas)
# falha: teste_itens_demonstrados
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def ok(a):
        if not all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            v = fig.get(c, {}).get(f)
            if v is None or (op == ">=" and v < lim) or (op == "<=" and v > lim):
                return False
        return True

    return {item: any(ok(a) for a in alts) for item, alts in REGRAS.items()}


# %% errada itens_demonstrados: apaga do registo o que já usou (altera o registo recebido)
# falha: teste_itens_demonstrados
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def ok(a):
        if not all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            v = fig.get(c, {}).get(f)
            if not isinstance(v, (int, float)) or (op == ">=" and v < lim) or (op == "<=" and v > lim):
                return False
        return True

    resultado = {item: any(ok(a) for a in alts) for item, alts in REGRAS.items()}
    for nome in list(ex):
        if not ex[nome].get("passou"):
            del ex[nome]
    progresso.pop("figuras", None)
    return resultado


# %% errada itens_demonstrados: limites estritos (> e < em vez de >= e <=)
# falha: teste_itens_alternativas_e_limites
# aluno: meio_certo
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def ok(a):
        if not all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            v = fig.get(c, {}).get(f)
            if not isinstance(v, (int, float)) or (op == ">=" and v <= lim) or (op == "<=" and v >= lim):
                return False
        return True

    return {item: any(ok(a) for a in alts) for item, alts in REGRAS.items()}


# %% errada itens_demonstrados: exige todas as alternativas (all em vez de any)
# falha: teste_itens_alternativas_e_limites
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def ok(a):
        if not all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            v = fig.get(c, {}).get(f)
            if not isinstance(v, (int, float)) or (op == ">=" and v < lim) or (op == "<=" and v > lim):
                return False
        return True

    return {item: all(ok(a) for a in alts) for item, alts in REGRAS.items()}


# %% errada itens_demonstrados: só olha para a primeira alternativa
# falha: teste_itens_alternativas_e_limites
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def ok(a):
        if not all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]):
            return False
        for c, f, op, lim in a["figuras"]:
            v = fig.get(c, {}).get(f)
            if not isinstance(v, (int, float)) or (op == ">=" and v < lim) or (op == "<=" and v > lim):
                return False
        return True

    return {item: ok(alts[0]) for item, alts in REGRAS.items()}


# %% errada itens_demonstrados: mistura as alternativas (exercícios de uma, medidas de outra)
# falha: teste_itens_alternativas_e_limites
def itens_demonstrados(progresso: dict) -> dict[str, bool]:
    ex = progresso.get("exercicios", {})
    fig = progresso.get("figuras", {})

    def medida(c, f, op, lim):
        v = fig.get(c, {}).get(f)
        return isinstance(v, (int, float)) and ((op == ">=" and v >= lim) or (op == "<=" and v <= lim))

    resultado = {}
    for item, alts in REGRAS.items():
        algum_exercicios = any(all(ex.get(n, {}).get("passou") is True for n in a["exercicios"]) for a in alts)
        alguma_medida = any(all(medida(*c) for c in a["figuras"]) for a in alts)
        resultado[item] = algum_exercicios and alguma_medida
    return resultado
